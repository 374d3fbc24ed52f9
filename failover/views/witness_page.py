"""The Failover page's Witness section: this site's witness, or, on a
standalone site serving as one, the pairs it watches."""

from failover.forms import WitnessForm
from failover.models import WitnessedPair, WitnessLink


def witness_context(form: WitnessForm | None = None) -> dict:
    return {
        "witness_form": form or WitnessForm(),
        "witnessed_pairs": WitnessedPair.objects.prefetch_related("sites").order_by("-id")[:5],
    }


def live_witness() -> dict:
    return {"witness": WitnessLink.load()}
