from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/management/", permanent=False)),
    path("api/peer/v1/", include("failover.peer.urls")),
    path("", include("failover.urls")),
]
