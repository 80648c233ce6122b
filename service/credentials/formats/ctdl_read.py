"""Reading CTDL and CTDL-ASN JSON-LD: credentials, competency frameworks and competencies.

Accepts an `@graph` document, a single node, a list of nodes, or the Credential Registry's envelopes (the
registry's resource envelope with `decoded_resource` or a JWT `resource`, and the publish request that wraps a
graph, e.g. `GraphInput`). Which competencies belong to a credential: those its `ceterms:requires` /
`ceterms:teaches` condition profiles target (a competency node, a whole framework, or an alignment object
naming the competency inline) and what their required learning opportunities in the graph teach
(`ceterms:targetLearningOpportunity` → `ceterms:teaches`); when a lone credential targets none, every
competency of the graph.
A graph with frameworks and no credential gives one credential per framework (type CompetencyFramework).
"""

from __future__ import annotations

from typing import Any

from service.credentials.formats.ctdl_graph import graph_nodes
from service.credentials.formats.ctdl_values import (
    base_language,
    code_in,
    credential_extra,
    framework_extra,
    level_of,
    region_of,
)
from service.credentials.formats.jsonld import as_list, lang_value, lang_values, local_name, ref_ids, types_of
from service.credentials.formats.records import (
    CredentialFormatError,
    ParsedAlignment,
    ParsedCompetency,
    ParsedCredential,
)
from service.credentials.formats.vocab import (
    CCF_DOMAIN_URN,
    CCF_LEVEL_URN,
    FRAMEWORK_TYPE,
    ctid_from,
    is_concept_uri,
    is_credential_class,
    is_web_url,
    normalise_occupation,
    parse_domain,
    parse_level,
)

CONDITION_PROPERTIES = ("ceterms:requires", "ceterms:teaches")


def read_ctdl(document: Any) -> list[ParsedCredential]:
    """Parse a CTDL JSON-LD document (already decoded from JSON) into credentials with their competencies."""
    nodes = graph_nodes(document)
    reader = _GraphReader(nodes)
    return reader.credentials()


def looks_like_ctdl(document: Any) -> bool:
    try:
        nodes = graph_nodes(document)
    except CredentialFormatError:
        return False
    return any(
        any(t.startswith(("ceterms:", "ceasn:")) for t in types_of(n)) for n in nodes if isinstance(n, dict)
    )


def _describe(node: dict, position: int) -> str:
    kind = ", ".join(types_of(node)) or "untyped"
    ident = node.get("@id") or node.get("ceterms:ctid")
    return f'node "{ident}" ({kind})' if ident else f"@graph[{position}] ({kind})"


class _GraphReader:
    def __init__(self, nodes: list[dict]) -> None:
        self.nodes = nodes
        self.position = {id(n): i for i, n in enumerate(nodes)}
        self.by_id: dict[str, dict] = {}
        for node in nodes:
            for key in (node.get("@id"), node.get("ceterms:ctid")):
                if isinstance(key, str):
                    self.by_id.setdefault(key, node)
        self.credential_nodes = [n for n in nodes if self._is_credential(n)]
        self.framework_nodes = [n for n in nodes if "ceasn:CompetencyFramework" in types_of(n)]
        self.competency_nodes = [n for n in nodes if "ceasn:Competency" in types_of(n)]
        self._competencies: dict[int, ParsedCompetency] = {}
        self.ext_of: dict[str, str] = {}
        for node in self.competency_nodes:  # ext ids first, so that parents resolve in any order
            ext = self._ext_id(node)
            if ext and isinstance(node.get("@id"), str):
                self.ext_of[node["@id"]] = ext

    @staticmethod
    def _is_credential(node: dict) -> bool:
        return any(t.startswith("ceterms:") and is_credential_class(local_name(t)) for t in types_of(node))

    def _where(self, node: dict) -> str:
        return _describe(node, self.position.get(id(node), 0))

    @staticmethod
    def _ext_id(node: dict) -> str | None:
        ctid = node.get("ceterms:ctid")
        if isinstance(ctid, str) and ctid.strip():
            return ctid.strip().lower() if ctid_from(ctid) else ctid.strip()
        ident = node.get("@id")
        if isinstance(ident, str) and not ident.startswith("_:"):
            return ctid_from(ident) or ident
        return None

    # --- competencies -------------------------------------------------------------------------------
    def competency(self, node: dict) -> ParsedCompetency:
        cached = self._competencies.get(id(node))
        if cached is not None:
            return cached
        text, _ = lang_value(node.get("ceasn:competencyText"))
        if not text:
            raise CredentialFormatError(
                f"{self._where(node)}: ceasn:competencyText is required (a language map such as "
                f'{{"en": "…"}})'
            )
        label, _ = lang_value(node.get("ceasn:competencyLabel"))
        notation = node.get("ceasn:codedNotation")
        if notation is not None and not isinstance(notation, str):
            raise CredentialFormatError(f"{self._where(node)}: ceasn:codedNotation must be a string")
        parent = next(iter(ref_ids(node.get("ceasn:isChildOf"))), None)
        terms = ref_ids(node.get("ceasn:conceptTerm"))
        level = next(
            (parse_level(t[len(CCF_LEVEL_URN) :]) for t in terms if t.startswith(CCF_LEVEL_URN)), None
        )
        if level is None:
            level = next((lv for lv in map(level_of, as_list(node.get("ceasn:complexityLevel"))) if lv), None)
        domain = next((parse_domain(t) for t in terms if t.startswith(CCF_DOMAIN_URN)), None)
        alignments = [ParsedAlignment(uri, True) for uri in ref_ids(node.get("ceasn:exactAlignment"))]
        alignments += [ParsedAlignment(uri, False, True) for uri in ref_ids(node.get("ceasn:majorAlignment"))]
        alignments += [ParsedAlignment(uri, False) for uri in ref_ids(node.get("ceasn:broadAlignment"))]
        for alignment in alignments:
            if not is_concept_uri(alignment.uri) or len(alignment.uri) > 500:
                kind = "exact" if alignment.exact else "major" if alignment.major else "broad"
                raise CredentialFormatError(
                    f"{self._where(node)}: ceasn:{kind}Alignment {alignment.uri[:200]!r} is not a concept "
                    "URI (http(s) or urn:)"
                )
        parsed = ParsedCompetency(
            text=text,
            ext_id=self._ext_id(node),
            label=label,
            category="; ".join(lang_values(node.get("ceasn:competencyCategory"))) or None,
            coded_notation=notation.strip() or None if isinstance(notation, str) else None,
            level=level,
            domain=domain,
            parent_ext_id=self.ext_of.get(parent) or parent if parent else None,
            alignments=alignments,
        )
        self._competencies[id(node)] = parsed
        return parsed

    def _children_parent_links(self) -> None:
        """`ceasn:hasChild` on a parent says the same as `ceasn:isChildOf` on the child."""
        for node in self.competency_nodes:
            parent_ext = self.ext_of.get(node.get("@id")) if isinstance(node.get("@id"), str) else None
            for child_id in ref_ids(node.get("ceasn:hasChild")):
                child = self.by_id.get(child_id)
                if child is not None and "ceasn:Competency" in types_of(child):
                    parsed = self.competency(child)
                    if parsed.parent_ext_id is None and parent_ext:
                        parsed.parent_ext_id = parent_ext

    def framework_competencies(self, framework: dict) -> list[dict]:
        keys = {k for k in (framework.get("@id"), framework.get("ceterms:ctid")) if isinstance(k, str)}
        return [n for n in self.competency_nodes if keys & set(ref_ids(n.get("ceasn:isPartOf")))]

    # --- credentials --------------------------------------------------------------------------------
    def credentials(self) -> list[ParsedCredential]:
        for node in self.competency_nodes:
            self.competency(node)  # validate every competency, used or not
        self._children_parent_links()
        if self.credential_nodes:
            lone = len(self.credential_nodes) == 1
            return [self._credential(node, lone) for node in self.credential_nodes]
        if self.framework_nodes:
            return [self._framework_credential(node) for node in self.framework_nodes]
        if self.competency_nodes:
            raise CredentialFormatError(
                "the graph has ceasn:Competency nodes but no credential and no "
                "ceasn:CompetencyFramework to hold them"
            )
        raise CredentialFormatError(
            "no credential (a ceterms:Credential subclass such as ceterms:Certificate) and no "
            "ceasn:CompetencyFramework node found in the graph"
        )

    def _framework_credential(self, node: dict) -> ParsedCredential:
        name, lang = lang_value(node.get("ceasn:name"))
        if not name:
            raise CredentialFormatError(f"{self._where(node)}: ceasn:name is required")
        description, _ = lang_value(node.get("ceasn:description"))
        ctid = self._ext_id(node)
        languages = [v for v in as_list(node.get("ceasn:inLanguage")) if isinstance(v, str)]
        return ParsedCredential(
            name=name,
            source_format="ctdl",
            ctid=ctid if ctid and ctid_from(ctid) else None,
            description=description or "",
            type=FRAMEWORK_TYPE,
            language=(languages[0] if languages else None) or base_language(lang),
            framework_ctid=ctid,
            extra={"framework": framework_extra(node)},
            competencies=[self.competency(n) for n in self.framework_competencies(node)],
        )

    def _credential(self, node: dict, lone: bool) -> ParsedCredential:
        where = self._where(node)
        name, name_lang = lang_value(node.get("ceterms:name"))
        if not name:
            raise CredentialFormatError(f"{where}: ceterms:name is required")
        description, _ = lang_value(node.get("ceterms:description"))
        ctid = node.get("ceterms:ctid")
        if ctid is not None and (not isinstance(ctid, str) or not ctid_from(ctid)):
            raise CredentialFormatError(f"{where}: ceterms:ctid must look like ce-<uuid>, got {ctid!r}")
        ctid = ctid_from(ctid) or ctid_from(node.get("@id") if isinstance(node.get("@id"), str) else None)
        credential_type = next(local_name(t) for t in types_of(node) if is_credential_class(local_name(t)))
        url = next(iter(ref_ids(node.get("ceterms:subjectWebpage"))), None)
        if url is not None and not is_web_url(url):
            raise CredentialFormatError(
                f"{where}: ceterms:subjectWebpage {url[:200]!r} is not an http(s) URL"
            )
        languages = [v for v in as_list(node.get("ceterms:inLanguage")) if isinstance(v, str)]
        occupations, titles = self._occupations(node, where)
        competencies, framework_nodes = self._targeted_competencies(node, where)
        if not competencies and lone:
            competencies = [self.competency(n) for n in self.competency_nodes]
            framework_nodes = list(self.framework_nodes)
        extra: dict = {"ctdl": credential_extra(node)}
        if len(framework_nodes) == 1:
            extra["framework"] = framework_extra(framework_nodes[0])
        framework_ctid = self._ext_id(framework_nodes[0]) if len(framework_nodes) == 1 else None
        return ParsedCredential(
            name=name,
            source_format="ctdl",
            ctid=ctid,
            description=description or "",
            url=url,
            type=credential_type,
            occupations=occupations,
            occupation_titles=titles,
            region=region_of(node),
            language=(languages[0] if languages else None) or base_language(name_lang),
            framework_ctid=framework_ctid,
            has_part=[ctid_from(r) or r for r in ref_ids(node.get("ceterms:hasPart"))],
            is_part_of=[ctid_from(r) or r for r in ref_ids(node.get("ceterms:isPartOf"))],
            extra=extra,
            competencies=_unique(competencies),
        )

    def _occupations(self, node: dict, where: str) -> tuple[list[str], list[str]]:
        codes: list[str] = []
        titles: list[str] = []
        for position, item in enumerate(as_list(node.get("ceterms:occupationType"))):
            code = None
            if isinstance(item, str):
                code = normalise_occupation(item) or code_in(item)
                if code is None:
                    titles.append(item)
            elif isinstance(item, dict):
                notation = item.get("ceterms:codedNotation")
                if isinstance(notation, str):
                    code = normalise_occupation(notation) or code_in(notation)
                    if code is None:
                        raise CredentialFormatError(
                            f"{where}: ceterms:occupationType[{position}].ceterms:codedNotation {notation!r} "
                            "is not an O*NET-SOC or SOC code (like 15-1232.00)"
                        )
                target = item.get("ceterms:targetNode")
                if code is None and isinstance(target, str):
                    code = code_in(target)
                if code is None:
                    title, _ = lang_value(item.get("ceterms:targetNodeName"))
                    if title:
                        titles.append(title)
            else:
                raise CredentialFormatError(f"{where}: ceterms:occupationType[{position}] must be an object")
            if code and code not in codes:
                codes.append(code)
        return codes, titles

    def _targeted_competencies(self, node: dict, where: str) -> tuple[list[ParsedCompetency], list[dict]]:
        found: list[ParsedCompetency] = []
        frameworks: list[dict] = []
        for prop in CONDITION_PROPERTIES:
            for p_index, profile in enumerate(as_list(node.get(prop))):
                if not isinstance(profile, dict):
                    continue  # a reference to a shared condition profile: nothing to read here
                for a_index, target in enumerate(as_list(profile.get("ceterms:targetCompetency"))):
                    at = f"{where}: {prop}[{p_index}].ceterms:targetCompetency[{a_index}]"
                    found.extend(self._target(target, at, frameworks))
                for ref in ref_ids(profile.get("ceterms:targetLearningOpportunity")):
                    found.extend(self._taught_by(self.by_id.get(ref), frameworks))
        return found, frameworks

    def _taught_by(self, node: dict | None, frameworks: list[dict]) -> list[ParsedCompetency]:
        """What a required learning opportunity in the graph teaches (its `ceterms:teaches` alignments)."""
        if node is None or self._is_credential(node):
            return []  # published elsewhere, or a credential of its own (a stack link, not competencies)
        at = f"{self._where(node)}: ceterms:teaches"
        return [
            c
            for i, t in enumerate(as_list(node.get("ceterms:teaches")))
            for c in self._target(t, f"{at}[{i}]", frameworks)
        ]

    def _target(self, target: Any, at: str, frameworks: list[dict]) -> list[ParsedCompetency]:
        ref = target if isinstance(target, str) else None
        if isinstance(target, dict):
            ref = target.get("ceterms:targetNode") or target.get("@id")
            framework = self.by_id.get(target.get("ceterms:framework") or "")
            if framework is not None and framework not in frameworks:
                frameworks.append(framework)
        elif not isinstance(target, str):
            raise CredentialFormatError(f"{at}: must be an alignment object or a reference")
        hit = self.by_id.get(ref) if isinstance(ref, str) else None
        if hit is not None and "ceasn:Competency" in types_of(hit):
            parsed = self.competency(hit)
            if isinstance(target, dict) and not parsed.label:
                name, _ = lang_value(target.get("ceterms:targetNodeName"))
                if name and name != parsed.text:
                    parsed.label = name
            return [parsed]
        if hit is not None and "ceasn:CompetencyFramework" in types_of(hit):
            if hit not in frameworks:
                frameworks.append(hit)
            return [self.competency(n) for n in self.framework_competencies(hit)]
        if not isinstance(target, dict):
            return []  # a competency published elsewhere: nothing in this graph to import
        name, _ = lang_value(target.get("ceterms:targetNodeName"))
        description, _ = lang_value(target.get("ceterms:targetNodeDescription"))
        if not name and not description:
            raise CredentialFormatError(
                f"{at}: names no competency (needs ceterms:targetNodeName or a ceterms:targetNode "
                f"in the graph)"
            )
        notation = target.get("ceterms:codedNotation")
        return [
            ParsedCompetency(
                text=description or name or "",
                ext_id=ctid_from(ref) or ref if isinstance(ref, str) and not ref.startswith("_:") else None,
                label=name if description else None,
                coded_notation=notation if isinstance(notation, str) else None,
            )
        ]


def _unique(competencies: list[ParsedCompetency]) -> list[ParsedCompetency]:
    seen: set[int] = set()
    out = []
    for c in competencies:
        if id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out
