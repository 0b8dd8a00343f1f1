"""Every history row carries the address of the request that made the change."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from audit.addresses import client_ip, current_request


@receiver(pre_create_historical_record)
def stamp_history_address(sender, history_instance, **kwargs):
    if hasattr(history_instance, "history_ip") and history_instance.history_ip is None:
        history_instance.history_ip = client_ip(current_request())
