"""/orglife/posts/: posts for members without office (无职党员设岗定责)."""

from django.urls import path

from orglife.posts import views

urlpatterns = [
    path("village/<int:pk>/", views.village_posts, name="post-village"),
    path("<int:pk>/", views.post_detail, name="post-detail"),
    path("assignment/<int:pk>/end/", views.end, name="post-assignment-end"),
    path("assignment/<int:pk>/credit/", views.credit, name="post-credit"),
    path("member/<int:pk>/", views.member_posts, name="post-member"),
]
