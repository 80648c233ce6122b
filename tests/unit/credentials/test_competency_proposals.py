"""What a designer reads on a credential page: each competency's proposals, none of them absurd.

The statements are the demo credentials' own (examples/credentials/*.csv) and the wrong links are the ones
users reported (issue #15); each test names what a designer expects instead."""

from __future__ import annotations

from service.credentials.linking import MAX_PROPOSALS, propose_links


def proposals(text: str) -> list[str]:
    found = propose_links([(text, None)]).proposals[0]
    assert len(found) <= MAX_PROPOSALS
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    return [p.label for p in found]


def test_operating_systems_are_not_roof_windows():
    got = proposals(
        "Install, configure and upgrade Windows and macOS operating systems on desktop and laptop computers"
    )
    assert "install roof windows" not in got
    assert any("operating system" in g.lower() for g in got), got


def test_hardware_is_not_geographic_memory_or_supplies():
    got = proposals(
        "Diagnose and replace faulty computer hardware components such as memory, storage and power supplies"
    )
    assert not {"use geographic memory", "manage supplies"} & set(got)
    assert any("hardware" in g.lower() for g in got), got


def test_cmms_is_not_ict_process_quality_models():
    got = proposals("Use a computerized maintenance management system (CMMS) to log work orders")
    assert "ICT process quality models" not in got
    assert any("maintenance management" in g.lower() for g in got), got


def test_measuring_tools_are_tools_not_transport_software():
    got = proposals("Measure parts with micrometers, calipers and dial indicators")
    assert not any("TransCAD" in g for g in got)
    assert {"Micrometers", "Calipers"} <= set(got) or any("measuring" in g.lower() for g in got), got


def test_network_settings_are_linked():
    got = proposals("Configure TCP/IP settings, DHCP and DNS on client computers")
    assert any("DHCP" in g or "internet protocol" in g.lower() or "DNS" in g for g in got), got


def test_welding_processes_are_linked_to_welding():
    got = proposals("Weld and cut with MIG, TIG and oxy-fuel equipment")
    assert any("weld" in g.lower() for g in got), got
    got = proposals("Read and interpret blueprints and welding symbols")
    assert any("blueprint" in g.lower() for g in got), got


def test_each_clause_of_a_compound_statement_is_linked():
    got = proposals("Schedule appointments and manage patient check-in and check-out")
    assert any("appointment" in g.lower() for g in got), got
