"""组织生活 — the branch's organisational life: meetings (三会一课, 主题党日, 组织生活会, 谈心谈话) with each member's
attendance (orglife.meetings), the township committee's visits to its contact points (orglife.visits), posts for
members without office (orglife.posts) and who sits on the branch committee (orglife.committee). Each part keeps its
models in its own module; they are gathered here for Django."""

from orglife.committee.models import *  # noqa: F403
from orglife.meetings.models import *  # noqa: F403
from orglife.posts.models import *  # noqa: F403
from orglife.visits.models import *  # noqa: F403
