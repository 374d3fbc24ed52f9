from django.urls import path

from failover.peer import endpoints

urlpatterns = [
    path("status", endpoints.status, name="peer-status"),
    path("pair", endpoints.pair, name="peer-pair"),
    path("unpair", endpoints.unpair, name="peer-unpair"),
]
