"""Interactive panels of the planning board notebook (analyst use; never in rendered reports).

:class:`FilterPanel` redraws whatever a render function returns when a filter changes;
:class:`ApprovalPanel` records approvals through :func:`replenlib.governance.approvals.
record_decision`, so the notebook enforces exactly the rules the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from replenlib.errors import ReplenError
from replenlib.governance.approvals import Actor, record_decision
from replenlib.plan.approval import Decision


class FilterPanel(widgets.VBox):  # type: ignore[misc]
    """Drop-downs (one per filter, '' = all) above an output that ``render(**filters)`` fills."""

    def __init__(self, choices: dict[str, list[str]], render: Callable[..., list[Any]]) -> None:
        self._render = render
        self._dropdowns = {
            name: widgets.Dropdown(
                options=[("(all)", ""), *((v, v) for v in values)], description=name, value=""
            )
            for name, values in choices.items()
        }
        self._output = widgets.Output()
        for dropdown in self._dropdowns.values():
            dropdown.observe(self._redraw, names="value")
        super().__init__([widgets.HBox(list(self._dropdowns.values())), self._output])
        self._redraw()

    def filters(self) -> dict[str, str]:
        """The current filter values."""
        return {name: str(d.value) for name, d in self._dropdowns.items()}

    def _redraw(self, *_: object) -> None:
        self._output.clear_output(wait=True)
        with self._output:
            for item in self._render(**self.filters()):
                display(item)  # type: ignore[no-untyped-call]


class ApprovalPanel(widgets.VBox):  # type: ignore[misc]
    """Approve or reject a proposal as ROLE/USER, with a comment; shows the outcome or the rule
    that refused it."""

    def __init__(self, db: str | Path, proposal_ids: list[str]) -> None:
        self._db = db
        self.proposal = widgets.Dropdown(options=proposal_ids, description="proposal")
        self.actor = widgets.Text(placeholder="planner/alice", description="as")
        self.comment = widgets.Text(description="comment")
        approve = widgets.Button(description="approve", button_style="success")
        reject = widgets.Button(description="reject", button_style="danger")
        approve.on_click(lambda _: self._decide(Decision.APPROVE))
        reject.on_click(lambda _: self._decide(Decision.REJECT))
        self.message = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.proposal, self.actor, self.comment]),
                widgets.HBox([approve, reject]),
                self.message,
            ]
        )

    def _decide(self, decision: Decision) -> None:
        try:
            result = record_decision(
                self._db,
                str(self.proposal.value),
                decision,
                Actor.parse(self.actor.value),
                self.comment.value,
            )
        except ReplenError as error:
            self.message.value = f"<b style='color:#b2182b'>refused:</b> {error}"
            return
        self.message.value = (
            f"{result.proposal_id}: {result.decision.value} (level {result.level}) → "
            f"<b>{result.status.value}</b>"
        )
