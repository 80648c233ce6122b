"""A Credential Registry on 127.0.0.1 (tests/support/feeds.FeedServer) serving graphs we write, in the shapes
the registry publishes: `/graph/{ctid}` answers an `@graph` whose nodes are named by
`{base}/resources/{ctid}`, a framework's graph carries its competencies, and a credential points at its
frameworks through `ceterms:requires` → `ceterms:targetCompetency` alignment objects."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from tests.support.feeds import FeedServer, Reply

CONTEXT = "https://credreg.net/ctdl/schema/context/json"

SECURITY = [
    "Monitor network traffic and security alerts in a SIEM to detect intrusions",
    "Configure firewalls and access control lists on routers and switches",
    "Respond to security incidents following an incident response plan",
    "Perform vulnerability scans and prioritise remediation of findings",
    "Harden Windows and Linux servers against common attacks",
    "Manage user accounts and permissions in Active Directory",
    "Apply patches and security updates across the organisation's systems",
    "Analyse malware samples in an isolated environment",
    "Write security policies and procedures for staff",
    "Encrypt data at rest and in transit using current standards",
    "Investigate phishing emails and block malicious senders",
    "Conduct penetration tests of web applications",
    "Review system logs for signs of unauthorised access",
    "Back up critical data and test its restoration",
    "Implement multi-factor authentication for remote access",
    "Assess third-party vendors for security risk",
    "Configure intrusion detection systems and tune their rules",
    "Document security incidents and report them to management",
    "Train employees in security awareness",
    "Secure wireless networks with WPA3 and network segmentation",
    "Manage digital certificates and a public key infrastructure",
    "Audit cloud configurations for security misconfigurations",
    "Script routine security tasks in Python or PowerShell",
    "Apply the NIST Cybersecurity Framework to an organisation",
    "Perform digital forensics on compromised workstations",
]
NETWORKING = [
    "Install and configure network switches and routers",
    "Troubleshoot TCP/IP connectivity problems",
    "Design IP addressing schemes and subnets",
    "Configure virtual LANs and trunking",
    "Set up and maintain DNS and DHCP services",
    "Monitor network performance and capacity",
    "Configure virtual private networks for remote offices",
    "Install structured cabling and test it",
    "Configure routing protocols such as OSPF",
    "Maintain network documentation and diagrams",
    "Deploy and manage wireless access points",
    "Configure quality of service for voice traffic",
    "Upgrade network device firmware",
    "Resolve help desk tickets about network access",
    "Plan network upgrades with a budget",
]


def ctid() -> str:
    return f"ce-{uuid.uuid4()}"


@dataclass
class Published:
    """One credential with two frameworks (25 + 15 competencies) and a required learning program."""

    base: str
    credential: str = field(default_factory=ctid)
    framework_a: str = field(default_factory=ctid)
    framework_b: str = field(default_factory=ctid)
    program: str = field(default_factory=ctid)
    competencies_a: list[str] = field(default_factory=lambda: [ctid() for _ in SECURITY])
    competencies_b: list[str] = field(default_factory=lambda: [ctid() for _ in NETWORKING])
    name: str = field(default_factory=lambda: f"Network Security Certificate {uuid.uuid4().hex[:6]}")

    def resource(self, ctid_: str) -> str:
        return f"{self.base}/resources/{ctid_}"

    def graph(self, ctid_: str, nodes: list[dict]) -> dict:
        return {"@context": CONTEXT, "@id": f"{self.base}/graph/{ctid_}", "@graph": nodes}

    def credential_graph(self) -> dict:
        per_competency = [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:framework": self.resource(self.framework_a),
                "ceterms:targetNode": self.resource(c),
                "ceterms:targetNodeName": {"en-US": text},
            }
            for c, text in zip(self.competencies_a, SECURITY, strict=True)
        ]
        whole_framework = {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": self.resource(self.framework_b),
            "ceterms:targetNode": self.resource(self.framework_b),
            "ceterms:frameworkName": {"en-US": "Networking Essentials"},
        }
        node = {
            "@id": self.resource(self.credential),
            "@type": "ceterms:Certificate",
            "ceterms:ctid": self.credential,
            "ceterms:name": {"en-US": self.name},
            "ceterms:description": {"en-US": "Secure and run an organisation's network."},
            "ceterms:subjectWebpage": "https://college.example/programs/network-security",
            "ceterms:inLanguage": ["en"],
            "ceterms:ownedBy": [self.resource("ce-7f42a13b-2c7e-4cbb-bbae-337a5187cf61")],
            "ceterms:occupationType": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:framework": "https://www.onetcenter.org/taxonomy.html",
                    "ceterms:codedNotation": "15-1212.00",
                    "ceterms:targetNodeName": {"en-US": "Information Security Analysts"},
                }
            ],
            "ceterms:requires": [
                {
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:name": {"en-US": "Competencies"},
                    "ceterms:targetCompetency": [*per_competency, whole_framework],
                },
                {
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:name": {"en-US": "Curriculum"},
                    "ceterms:assertedBy": [self.resource("ce-7f42a13b-2c7e-4cbb-bbae-337a5187cf61")],
                    "ceterms:targetLearningOpportunity": [self.resource(self.program)],
                },
            ],
        }
        return self.graph(self.credential, [node])

    def framework_graph(self, framework: str, name: str, ids: list[str], texts: list[str]) -> dict:
        nodes: list[dict] = [
            {
                "@id": self.resource(framework),
                "@type": "ceasn:CompetencyFramework",
                "ceterms:ctid": framework,
                "ceasn:name": {"en-US": name},
                "ceasn:hasTopChild": [self.resource(c) for c in ids],
            }
        ]
        nodes += [
            {
                "@id": self.resource(c),
                "@type": "ceasn:Competency",
                "ceterms:ctid": c,
                "ceasn:competencyText": {"en-US": text},
                "ceasn:isPartOf": [self.resource(framework)],
                "ceasn:isTopChildOf": self.resource(framework),
            }
            for c, text in zip(ids, texts, strict=True)
        ]
        return self.graph(framework, nodes)

    def program_graph(self) -> dict:
        """A learning program that teaches two of framework A's competencies (already in hand)."""
        node = {
            "@id": self.resource(self.program),
            "@type": "ceterms:LearningProgram",
            "ceterms:ctid": self.program,
            "ceterms:name": {"en-US": "Network Security Program"},
            "ceterms:teaches": [
                {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": self.resource(c)}
                for c in self.competencies_a[:2]
            ],
        }
        return self.graph(self.program, [node])

    def documents(self) -> dict[str, dict]:
        return {
            self.credential: self.credential_graph(),
            self.framework_a: self.framework_graph(
                self.framework_a, "Security Operations", self.competencies_a, SECURITY
            ),
            self.framework_b: self.framework_graph(
                self.framework_b, "Networking Essentials", self.competencies_b, NETWORKING
            ),
            self.program: self.program_graph(),
        }


def publish(server: FeedServer, published: Published, **replace: Reply) -> None:
    """Serve every graph of `published` at /graph/{ctid}; `replace` swaps one (by CTID) for another reply."""
    for key, document in published.documents().items():
        reply = replace.get(key) or Reply(body=json.dumps(document), content_type="application/ld+json")
        server.route(f"/graph/{key}", reply)


def base_of(server: FeedServer) -> str:
    return server.url("")
