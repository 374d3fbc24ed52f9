"""The optional witness (domain.witness_quorum): on a site of a pair, the
witness it uses and what its checks learned; on the witness, what it keeps
per pair (the highest epoch it granted, each site's last contact), in the
database so that a restart keeps them."""

from django.db import models, transaction
from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.domain.witness_grant import Grant, GrantRequest, PairRecord, grant
from failover.models.events import StatusEvent
from failover.models.singleton import SingletonModel


class WitnessLink(SingletonModel):
    """This site's witness (none while ``host`` is blank). Never replicated:
    each site may reach the witness at its own address."""

    host = models.CharField(max_length=253, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    witness_site_id = models.UUIDField(null=True, blank=True)
    hostname = models.CharField(max_length=253, blank=True)
    configured_at = models.DateTimeField(null=True, blank=True)
    # None until the first check after it was added.
    reachable = models.BooleanField(null=True)
    last_check_at = models.DateTimeField(null=True, blank=True)
    # When the last answered call started: the witness heard from this site
    # no earlier than that.
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The highest epoch the witness had granted for this pair, as it last said.
    granted_epoch = models.PositiveBigIntegerField(default=0)
    # The SiteState.confirming_since of a step-down: while they are equal,
    # this site's wait to confirm its role is a step-down.
    stepped_down_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.address or "no witness"

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def address(self) -> str:
        if not self.host:
            return ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def configure(cls, host: str, port: int, witness_site_id, hostname: str) -> None:
        cls.objects.update_or_create(
            pk=1,
            defaults={
                "host": host,
                "port": port,
                "witness_site_id": witness_site_id,
                "hostname": hostname,
                "configured_at": timezone.now(),
                "reachable": None,
                "last_check_at": None,
                "last_success_at": None,
                "last_error": "",
                "granted_epoch": 0,
            },
        )

    @classmethod
    def remove(cls) -> bool:
        return bool(cls.objects.exclude(host="").update(host="", port=None, witness_site_id=None))

    @classmethod
    def record_check(cls, started_at, answer: dict | None, error: str = "") -> None:
        """Store a witness check's outcome; an event only when reachability
        changes. A check older than the last recorded one is ignored."""
        with transaction.atomic():
            link = cls.objects.select_for_update().get(pk=cls.load().pk)
            if not link.configured or (link.last_check_at and link.last_check_at > started_at):
                return
            name = link.hostname or link.address
            was = link.reachable
            link.last_check_at = timezone.now()
            if answer is None:
                link.reachable, link.last_error = False, error
                if was is not False:
                    StatusEvent.record(
                        EventKind.WITNESS_UNREACHABLE, f"Witness {name} became unreachable: {error}"
                    )
            else:
                link.reachable, link.last_error = True, ""
                link.last_success_at = started_at
                link.granted_epoch = max(link.granted_epoch, answer["granted_epoch"])
                if was is False:
                    StatusEvent.record(
                        EventKind.WITNESS_REACHABLE, f"Witness {name} is reachable again."
                    )
            link.save()


class WitnessedPair(models.Model):
    """On the witness: one pair it watches, by its relationship id."""

    relationship_id = models.UUIDField(unique=True)
    # Epochs are granted once: the next grant must be above this one.
    granted_epoch = models.PositiveBigIntegerField(default=0)
    granted_to = models.CharField(max_length=253, blank=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return " and ".join(site.hostname for site in self.sites.all()) or "a pair"

    @classmethod
    def _locked(cls, sender: dict) -> "WitnessedPair | None":
        """The sender's pair, locked for this transaction; None if the
        relationship is known with another site than these two."""
        pair, _ = cls.objects.select_for_update().get_or_create(
            relationship_id=sender["relationship_id"]
        )
        members = {sender["site_id"], sender["peer_site_id"]}
        if pair.sites.exclude(site_id__in=members).exists():
            return None
        return pair

    @classmethod
    def heard(cls, sender: dict) -> "WitnessedPair | None":
        """A site of the pair called: note when, and what it said of itself."""
        with transaction.atomic():
            pair = cls._locked(sender)
            if pair:
                pair._note(sender)
            return pair

    @classmethod
    def ask_grant(cls, sender: dict, epoch: int) -> tuple[Grant, "WitnessedPair"] | None:
        """The backup asks for ``epoch``: granted at most once (the row is
        locked, so two requests are decided one after the other)."""
        with transaction.atomic():
            pair = cls._locked(sender)
            if pair is None:
                return None
            other = pair.sites.exclude(site_id=sender["site_id"]).first()
            record = PairRecord(
                granted_epoch=pair.granted_epoch,
                watching_since=pair.first_contact_at,
                other_name=other.hostname if other else "the other site",
                other_last_contact=other.last_contact_at if other else None,
                other_timeout=other.timeout if other else None,
            )
            answer = grant(GrantRequest(epoch, sender["timeout"]), record, timezone.now())
            pair._note(sender)
            if answer.granted:
                pair.granted_epoch, pair.granted_to = epoch, sender["hostname"]
                pair.granted_at = timezone.now()
                pair.save()
                StatusEvent.record(
                    EventKind.WITNESS_GRANTED,
                    f"Granted epoch {epoch} to {sender['hostname']}: {answer.reason}.",
                    relationship_id=str(pair.relationship_id),
                )
            return answer, pair

    def _note(self, sender: dict) -> None:
        WitnessedSite.objects.update_or_create(
            pair=self,
            site_id=sender["site_id"],
            defaults={
                "hostname": sender["hostname"],
                "role": sender["role"],
                "epoch": sender["epoch"],
                "timeout": sender["timeout"],
                "last_contact_at": timezone.now(),
            },
        )


class WitnessedSite(models.Model):
    """On the witness: one site of a pair, as it last called."""

    pair = models.ForeignKey(WitnessedPair, on_delete=models.CASCADE, related_name="sites")
    site_id = models.UUIDField()
    hostname = models.CharField(max_length=253)
    role = models.CharField(max_length=10)
    epoch = models.PositiveBigIntegerField()
    timeout = models.FloatField()
    last_contact_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pair", "site_id"], name="witnessed_site_once")
        ]
        ordering = ["hostname"]

    def __str__(self):
        return self.hostname
