from failover.models.backup_settings import BackupSettings
from failover.models.digest import FileDigest
from failover.models.events import StatusEvent
from failover.models.heartbeat import QueueHeartbeat
from failover.models.keys import ApiToken, InterSiteKey
from failover.models.lag import LagSample
from failover.models.notifications import NotificationDelivery, NotificationSettings
from failover.models.peer import PeerStatus
from failover.models.replication import DataChange, Delivery, DivergedCopy
from failover.models.shared_ip import SharedIP
from failover.models.site import SiteState
from failover.models.swap import RoleSwap
from failover.models.sync import SyncRun
from failover.models.witness import WitnessedPair, WitnessedSite, WitnessLink

__all__ = [
    "ApiToken",
    "BackupSettings",
    "DataChange",
    "Delivery",
    "DivergedCopy",
    "FileDigest",
    "InterSiteKey",
    "LagSample",
    "NotificationDelivery",
    "NotificationSettings",
    "PeerStatus",
    "QueueHeartbeat",
    "RoleSwap",
    "SharedIP",
    "SiteState",
    "StatusEvent",
    "SyncRun",
    "WitnessLink",
    "WitnessedPair",
    "WitnessedSite",
]
