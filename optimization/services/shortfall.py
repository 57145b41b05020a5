"""Why a pair's order-up-to level can sit below its reorder point, in words for the plan page.

The policy sets each pair's reorder point from its demand over the lead time; the MILP then picks the order. When a
limit binds (the budget most often, a warehouse's receiving capacity otherwise), the money or room goes where it
saves the most expected shortage, and some pairs end the order below the level at which the policy would reorder.
That is the plan doing its job under the limit, not a mistake, and the page says so."""

from dataclasses import dataclass

from django.db.models import F

from ..models import Plan, PlanLine

EXAMPLES = 5


@dataclass(frozen=True)
class BelowReorderPoint:
    pairs: int
    text: str
    examples: list[PlanLine]


def below_reorder_point(*, plan: Plan) -> BelowReorderPoint | None:
    """None when every pair is ordered up to at least its reorder point (or the plan has no lines)."""
    lines = plan.lines.filter(order_up_to__lt=F("reorder_point"))
    count = lines.count()
    if not count:
        return None
    examples = list(
        lines.select_related("product", "warehouse").order_by(F("order_up_to") - F("reorder_point"))[:EXAMPLES]
    )
    kinds = {b.get("kind") or b.get("constraint", "").split(":")[0]: b for b in plan.binding or []}
    noun = "pair" if count == 1 else "pairs"
    verb = "ends" if count == 1 else "end"
    head = f"{count:,} product × warehouse {noun} {verb} this order below the reorder point"
    if "budget" in kinds:
        budget = kinds["budget"]
        text = (
            f"{head}: the budget binds ({budget['used']:,.0f} of {budget['limit']:,.0f} spent), so it goes to the "
            f"orders that save the most expected shortage per rupee, and these get less than the policy would "
            f"order. They stay first in line for the next cycle; a larger budget would lift them "
            f"({budget['text']})"
        )
    elif "capacity" in kinds:
        full = ", ".join(b["constraint"].split(":", 1)[-1] for b in plan.binding if b.get("kind") == "capacity")
        text = (
            f"{head}: receiving capacity binds at {full}, so the room goes to the orders that save the most expected "
            f"shortage per unit of volume, and these get less than the policy would order."
        )
    else:
        text = (
            f"{head}: no limit binds; for these pairs the fixed cost of an order and the holding of what it "
            f"brings (or what would spoil within the shelf life) outweigh the expected shortage it would avoid "
            f"this cycle."
        )
    return BelowReorderPoint(count, text.rstrip(".") + ".", examples)
