from django.urls import include, path
from django.views.generic import RedirectView

from failover.urls import peer_urlpatterns

urlpatterns = [
    path("", RedirectView.as_view(url="/management/", permanent=False)),
    path("api/peer/v1/", include(peer_urlpatterns)),
    path("", include("failover.urls")),
]
