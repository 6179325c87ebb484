"""Flows declared as YAML data, loaded and validated once at start-up.

A flow is a set of steps; a step asks a question (buttons or free input), says
something and moves on, or is drawn by a named handler. Targets are `step`,
`flow.step` or `flow`. Anything wrong (unknown target, duplicate id, dead end, unknown
handler) raises FlowError before the first person is served.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

FLOWS_DIR: Final = Path(__file__).resolve().parent / "flows"
INPUT_KINDS: Final = frozenset({"text", "age", "commune"})


class FlowError(ValueError):
    """A flow definition is invalid."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise FlowError(f"duplicate id {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except FlowError as error:
        raise FlowError(f"{path.name}: {error}") from None


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    value: str
    next: str | None = None
    signal: str | None = None
    consent: bool | None = None
    referral: bool = False


@dataclass(frozen=True)
class Branch:
    target: str
    when: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    id: str
    flow: str
    text: str | None = None
    choices: tuple[Choice, ...] = ()
    save: str | None = None
    profile: bool = False
    input: str | None = None
    next: tuple[Branch, ...] = ()
    advice: str | None = None
    finish: bool = False
    handler: str | None = None
    nav: bool = True
    # A profile question asked only when a routing rule that could still fire tests
    # this fact (conversations/rule_needs.py).
    ask_if_rules_need: str | None = None


@dataclass(frozen=True)
class Flow:
    id: str
    theme: str
    title: str | None
    start: str
    steps: dict[str, Step]
    # `journey: true`: a path that needs consent, is recorded, nudged and expired.
    journey: bool = False


def _branches(raw: Any) -> tuple[Branch, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (Branch(raw),)
    branches = []
    for item in raw:
        when = {k: v if isinstance(v, list) else [v] for k, v in (item.get("when") or {}).items()}
        branches.append(Branch(item["goto"], {k: [str(x) for x in v] for k, v in when.items()}))
    return tuple(branches)


def _choice(choice_id: str, raw: dict[str, Any]) -> Choice:
    return Choice(
        id=str(choice_id),
        label=raw["label"],
        value=str(raw.get("value", choice_id)),
        next=raw.get("next"),
        signal=raw.get("signal"),
        consent=raw.get("consent"),
        referral=bool(raw.get("referral", False)),
    )


def _step(flow_id: str, step_id: str, raw: dict[str, Any], templates: dict[str, Any]) -> Step:
    if "use" in raw:
        if raw["use"] not in templates:
            raise FlowError(f"{flow_id}.{step_id}: unknown template {raw['use']!r}")
        raw = {**templates[raw["use"]], **{k: v for k, v in raw.items() if k != "use"}}
    choices = tuple(_choice(cid, c) for cid, c in (raw.get("choices") or {}).items())
    return Step(
        id=step_id,
        flow=flow_id,
        text=raw.get("text"),
        choices=choices,
        save=raw.get("save"),
        profile=bool(raw.get("profile", False)),
        input=raw.get("input"),
        next=_branches(raw.get("next")),
        advice=raw.get("advice"),
        finish=bool(raw.get("finish", False)),
        handler=raw.get("handler"),
        nav=bool(raw.get("nav", True)),
        ask_if_rules_need=raw.get("ask_if_rules_need"),
    )


class Flows:
    """All flows of the deployment, indexed for the engine."""

    def __init__(self, flows: dict[str, Flow]) -> None:
        self.flows = flows
        # The flows marked `journey: true`: consent first, answers kept, nudged when left.
        self.journeys = frozenset(f.id for f in flows.values() if f.journey)

    def step(self, flow_id: str, step_id: str) -> Step:
        return self.flows[flow_id].steps[step_id]

    def resolve(self, target: str, current_flow: str) -> tuple[str, str]:
        if "." in target:
            flow_id, step_id = target.split(".", 1)
            return flow_id, step_id
        if target in self.flows[current_flow].steps:
            return current_flow, target
        if target in self.flows:
            return target, self.flows[target].start
        raise FlowError(f"unknown target {target!r} from flow {current_flow!r}")

    def messages(self) -> Iterator[tuple[str, str]]:
        """(msgid, where) for every user-facing string of every flow."""
        for flow in self.flows.values():
            if flow.title:
                yield flow.title, f"{flow.id}.title"
            for step in flow.steps.values():
                if step.text:
                    yield step.text, f"{flow.id}.{step.id}"
                for choice in step.choices:
                    yield choice.label, f"{flow.id}.{step.id}.{choice.id}"

    def validate(self, handlers: frozenset[str], advice: frozenset[str]) -> None:
        problems: list[str] = []
        for flow in self.flows.values():
            if flow.start not in flow.steps:
                problems.append(f"{flow.id}: start step {flow.start!r} does not exist")
            for step in flow.steps.values():
                problems += self._check_step(step, handlers, advice)
        if problems:
            raise FlowError("; ".join(problems))

    def _check_step(
        self, step: Step, handlers: frozenset[str], advice: frozenset[str]
    ) -> list[str]:
        where = f"{step.flow}.{step.id}"
        problems = []
        targets = [b.target for b in step.next] + [c.next for c in step.choices if c.next]
        for target in targets:
            try:
                flow_id, step_id = self.resolve(target, step.flow)
                if step_id not in self.flows[flow_id].steps:
                    raise FlowError(target)
            except (FlowError, KeyError):
                problems.append(f"{where}: unknown target {target!r}")
        if step.handler and step.handler not in handlers:
            problems.append(f"{where}: unknown handler {step.handler!r}")
        if step.advice and step.advice not in advice:
            problems.append(f"{where}: unknown advice {step.advice!r}")
        if step.input and step.input not in INPUT_KINDS:
            problems.append(f"{where}: unknown input kind {step.input!r}")
        if step.input and not step.save:
            problems.append(f"{where}: input step without `save`")
        if not (step.handler or step.next or (step.choices and all(c.next for c in step.choices))):
            problems.append(f"{where}: dead end (no next, no handler, a choice without next)")
        return problems


def load_flows(directory: Path = FLOWS_DIR) -> Flows:
    templates_file = directory / "_templates.yaml"
    templates = load_yaml(templates_file) if templates_file.exists() else {}
    flows: dict[str, Flow] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        raw = load_yaml(path)
        flow_id = raw["id"]
        if flow_id in flows:
            raise FlowError(f"{path.name}: duplicate flow id {flow_id!r}")
        steps = {sid: _step(flow_id, sid, s, templates) for sid, s in raw["steps"].items()}
        flows[flow_id] = Flow(
            flow_id,
            raw.get("theme", flow_id),
            raw.get("title"),
            raw["start"],
            steps,
            journey=bool(raw.get("journey", False)),
        )
    return Flows(flows)
