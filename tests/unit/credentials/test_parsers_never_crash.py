"""Whatever a caller sends, the readers answer with parsed credentials or a CredentialFormatError (a 400),
never another exception (a 500)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.credentials.formats import CredentialFormatError, read_credential_document
from service.credentials.formats.records import check_sizes

KEYS = st.sampled_from(
    [
        "@graph",
        "@type",
        "@id",
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:description",
        "ceterms:subjectWebpage",
        "ceterms:occupationType",
        "ceterms:requires",
        "ceterms:teaches",
        "ceterms:targetCompetency",
        "ceterms:targetNode",
        "ceterms:targetNodeName",
        "ceterms:codedNotation",
        "ceterms:hasPart",
        "ceterms:isPartOf",
        "ceterms:region",
        "ceasn:competencyText",
        "ceasn:competencyLabel",
        "ceasn:isPartOf",
        "ceasn:isChildOf",
        "ceasn:hasChild",
        "ceasn:complexityLevel",
        "ceasn:conceptTerm",
        "ceasn:exactAlignment",
        "ceasn:name",
        "en",
        "@value",
        "decoded_resource",
        "resource",
        "GraphInput",
        "CFDocument",
        "CFItems",
        "CFAssociations",
        "identifier",
        "fullStatement",
        "title",
        "originNodeURI",
        "destinationNodeURI",
        "associationType",
        "name",
        "competencies",
    ]
)
TYPES = st.sampled_from(
    [
        "ceterms:Certificate",
        "ceterms:Badge",
        "ceasn:Competency",
        "ceasn:CompetencyFramework",
        "ceterms:ConditionProfile",
        "ceterms:CredentialAlignmentObject",
        "isChildOf",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.floats(allow_nan=False, allow_infinity=False),
    TYPES,
    st.text(max_size=12),
    st.just("ce-11111111-1111-4111-8111-111111111111"),
    st.just("15-1232.00"),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=6)),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS, content_type=st.sampled_from(["application/ld+json", "application/json"]))
def test_json_readers_only_raise_format_errors(document, content_type):
    try:
        parsed = read_credential_document(json.dumps(document).encode(), content_type)
        check_sizes(parsed)
    except CredentialFormatError:
        pass


CELLS = st.one_of(
    st.text(max_size=8), st.sampled_from(["3", "L4", "9", "knowledge", "15-1232.00", "ce-x", '"', ";"])
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(
        st.sampled_from(
            [
                "credential_name",
                "competency_text",
                "competency_level",
                "occupations",
                "credential_ctid",
                "competency_domain",
                "x_note",
                "bogus",
            ]
        ),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(st.lists(CELLS, max_size=7), max_size=5),
)
def test_csv_reader_only_raises_format_errors(header, rows):
    text = "\n".join([",".join(header)] + [",".join(row) for row in rows])
    try:
        read_credential_document(text.encode(), "text/csv")
    except CredentialFormatError:
        pass
