from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<id:pk>/open/", views.open_notification, name="open"),
    path("<id:pk>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/sms/", views.sms_number, name="sms_number"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
