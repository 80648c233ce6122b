"""Writing a credential as CTDL-ASN JSON-LD: the credential, its competency framework and the competencies.

Written to the Credential Registry's JSON Schemas (validation-schema in the shared data): every competency has
`@id`, `ceterms:ctid`, `ceasn:competencyText`, `ceasn:isPartOf`; the framework has `ceasn:name`,
`ceasn:description`, `ceasn:inLanguage` and an author. The competency label, which those schemas do not have
on ceasn:Competency, travels as the `ceterms:targetNodeName` of the credential's condition profile (as CTDL
intends for naming a target competency); Connecting Credentials Framework level and domain travel as
`ceasn:conceptTerm` URNs. `read_ctdl(write_ctdl(x))` gives x back (tests/unit/credentials).

The registry's credential schema types `meta:langstring` as a plain string while its CTDL-ASN schemas use
language maps, so the credential node carries plain strings and framework and competencies language maps;
the reader accepts either form anywhere.

Every `@id` is `base_url` + CTID (SKILLPULSE_CREDENTIALS_CTDL_BASE_URL; by default the registry's resource
URIs, which is where a CTID resolves once published). A competency's links are alignments to the concept
URIs (ESCO, O*NET): exact, major or broad by how the link was confirmed (queries.alignment_of), and links no
one has reviewed, when asked for, as `ceasn:minorAlignment` — which the reader does not take back.
"""

from __future__ import annotations

from service.credentials.formats.jsonld import lang_map
from service.credentials.formats.records import ParsedAlignment, ParsedCredential
from service.credentials.formats.vocab import CCF_DOMAIN_URN, CCF_LEVEL_URN, FRAMEWORK_TYPE, ctid_from

CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
REGISTRY_RESOURCES = "https://credentialengineregistry.org/resources/"
REGISTRY_GRAPH = "https://credentialengineregistry.org/graph/"
ALIGNMENT = "ceterms:CredentialAlignmentObject"
ONET_FRAMEWORK = "https://www.onetcenter.org/taxonomy.html"
SOC_FRAMEWORK = "https://www.bls.gov/soc/"
STATUS_FRAMEWORK = "https://credreg.net/ctdl/terms/CredentialStatus"


def resource_uri(ctid_or_uri: str, base_url: str = REGISTRY_RESOURCES) -> str:
    return ctid_or_uri if "://" in ctid_or_uri else base_url + ctid_or_uri


def graph_uri(ctid: str, base_url: str) -> str:
    """The document's own @id: the registry's graph URI by default, else `<base>graph/<ctid>`."""
    if base_url == REGISTRY_RESOURCES:
        return REGISTRY_GRAPH + ctid
    return f"{base_url}graph/{ctid}"


def write_ctdl(credential: ParsedCredential, author: str, base_url: str = REGISTRY_RESOURCES) -> dict:
    """CTDL-ASN JSON-LD for `credential`, whose ctid, framework_ctid and competency ext_ids must be CTIDs.
    `author` names the framework's author when the source named no creator (the organisation) and is its
    publisher's name; `base_url` (ending in "/") prefixes every CTID into an @id."""
    if not credential.framework_ctid or not all(c.ext_id for c in credential.competencies):
        raise ValueError("every exported record needs a CTID")
    lang = credential.language or "en"
    framework_id = resource_uri(credential.framework_ctid, base_url)
    comp_id = {c.ext_id: resource_uri(c.ext_id, base_url) for c in credential.competencies}  # type: ignore[misc]
    competency_nodes = _competency_nodes(credential, lang, framework_id, comp_id)
    top = [node["@id"] for node in competency_nodes if "ceasn:isTopChildOf" in node]
    graph = [_framework_node(credential, lang, framework_id, author, top), *competency_nodes]
    if credential.type != FRAMEWORK_TYPE:
        graph.insert(0, _credential_node(credential, lang, framework_id, comp_id, base_url))
    return {"@context": CONTEXT, "@id": graph_uri(credential.framework_ctid, base_url), "@graph": graph}


def _competency_nodes(
    credential: ParsedCredential, lang: str, framework_id: str, comp_id: dict
) -> list[dict]:
    """One ceasn:Competency per competency, in order, with its place in the tree and its alignments."""
    children: dict[str, list[str]] = {}
    for c in credential.competencies:
        if c.parent_ext_id in comp_id:
            children.setdefault(c.parent_ext_id, []).append(comp_id[c.ext_id])  # type: ignore[index]
    nodes = []
    for c in credential.competencies:
        node: dict = {
            "@id": comp_id[c.ext_id],
            "@type": "ceasn:Competency",
            "ceterms:ctid": c.ext_id,
            "ceasn:competencyText": lang_map(c.text, lang),
            "ceasn:isPartOf": [framework_id],
        }
        if c.category:
            node["ceasn:competencyCategory"] = [lang_map(c.category, lang)]
        if c.coded_notation:
            node["ceasn:codedNotation"] = c.coded_notation
        if c.parent_ext_id in comp_id:
            node["ceasn:isChildOf"] = [comp_id[c.parent_ext_id]]  # type: ignore[index]
        else:
            node["ceasn:isTopChildOf"] = framework_id
        if c.ext_id in children:
            node["ceasn:hasChild"] = children[c.ext_id]  # type: ignore[index]
        terms = ([f"{CCF_LEVEL_URN}{c.level}"] if c.level else []) + (
            [f"{CCF_DOMAIN_URN}{c.domain}"] if c.domain else []
        )
        if terms:
            node["ceasn:conceptTerm"] = terms
        for prop, uris in _alignments(c.alignments).items():
            if uris:
                node[prop] = uris
        nodes.append(node)
    return nodes


def _framework_node(
    credential: ParsedCredential, lang: str, framework_id: str, author: str, top: list
) -> dict:
    framework_extra = credential.extra.get("framework", {})
    framework: dict = {
        "@id": framework_id,
        "@type": "ceasn:CompetencyFramework",
        "ceterms:ctid": credential.framework_ctid,
        "ceasn:name": lang_map(framework_extra.get("name") or credential.name, lang),
        "ceasn:description": lang_map(framework_extra.get("description") or credential.description, lang),
        "ceasn:inLanguage": [lang],
    }
    if framework_extra.get("ceasn:creator"):
        framework["ceasn:creator"] = framework_extra["ceasn:creator"]
    else:
        framework["ceasn:author"] = [author]
    owners = publishers(credential)
    if owners:
        framework["ceasn:publisher"] = owners
    framework["ceasn:publisherName"] = [lang_map(author, lang)]
    if credential.url:
        framework["ceasn:source"] = [credential.url]
    if top:
        framework["ceasn:hasTopChild"] = top
    return framework


def publishers(credential: ParsedCredential) -> list[str]:
    """The organisations that own the credential, as the source named them (absolute URIs), else its
    framework's creators: the framework's ceasn:publisher."""
    ctdl = credential.extra.get("ctdl", {})
    owners = [o for o in ctdl.get("ceterms:ownedBy", []) if isinstance(o, str) and "://" in o]
    return owners or list(credential.extra.get("framework", {}).get("ceasn:creator", []))


def _alignments(alignments: list[ParsedAlignment]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {
        "ceasn:exactAlignment": [],
        "ceasn:majorAlignment": [],
        "ceasn:broadAlignment": [],
        "ceasn:minorAlignment": [],
    }
    for a in alignments:
        kind = "minor" if a.suggested else "exact" if a.exact else "major" if a.major else "broad"
        if a.uri not in out[f"ceasn:{kind}Alignment"]:
            out[f"ceasn:{kind}Alignment"].append(a.uri)
    return out


def _credential_node(
    credential: ParsedCredential, lang: str, framework_id: str, comp_id: dict, base_url: str
) -> dict:
    ctdl = credential.extra.get("ctdl", {})
    ctid = credential.ctid or ctid_from(ctdl.get("@id"))
    node: dict = {
        "@id": resource_uri(ctid, base_url) if ctid else ctdl.get("@id"),
        "@type": f"ceterms:{credential.type}",
        "ceterms:ctid": ctid,
        "ceterms:name": credential.name,
        "ceterms:description": credential.description,
        "ceterms:inLanguage": [lang],
        "ceterms:credentialStatusType": {
            "@type": ALIGNMENT,
            "ceterms:framework": STATUS_FRAMEWORK,
            "ceterms:targetNode": ctdl.get("ceterms:credentialStatusType", "credentialStat:Active"),
        },
    }
    if credential.url:
        node["ceterms:subjectWebpage"] = credential.url
    for prop in ("ceterms:ownedBy", "ceterms:offeredBy"):
        if ctdl.get(prop):
            node[prop] = list(ctdl[prop])
    if credential.occupations:
        node["ceterms:occupationType"] = [_occupation(code) for code in credential.occupations]
    if credential.region:
        node["ceterms:region"] = [{"@type": "ceterms:Place", "ceterms:name": credential.region}]
    if credential.has_part:
        node["ceterms:hasPart"] = [resource_uri(r, base_url) for r in credential.has_part]
    if credential.is_part_of:
        node["ceterms:isPartOf"] = [resource_uri(r, base_url) for r in credential.is_part_of]
    if credential.competencies:
        framework_name = credential.extra.get("framework", {}).get("name") or credential.name
        targets = []
        for c in credential.competencies:
            target: dict = {
                "@type": ALIGNMENT,
                "ceterms:targetNode": comp_id[c.ext_id],
                "ceterms:targetNodeName": c.label or c.text,
                "ceterms:framework": framework_id,
                "ceterms:frameworkName": framework_name,
            }
            if c.label:
                target["ceterms:targetNodeDescription"] = c.text
            if c.coded_notation:
                target["ceterms:codedNotation"] = c.coded_notation
            targets.append(target)
        node["ceterms:requires"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": "Competencies a holder of this credential has shown.",
                "ceterms:targetCompetency": targets,
            }
        ]
    return {k: v for k, v in node.items() if v is not None}


def _occupation(code: str) -> dict:
    onet = "." in code
    item = {
        "@type": ALIGNMENT,
        "ceterms:framework": ONET_FRAMEWORK if onet else SOC_FRAMEWORK,
        "ceterms:frameworkName": "O*NET-SOC Taxonomy" if onet else "Standard Occupational Classification",
        "ceterms:codedNotation": code,
    }
    if onet:
        item["ceterms:targetNode"] = f"https://www.onetonline.org/link/summary/{code}"
    return item
