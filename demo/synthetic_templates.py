"""The synthetic posting engine's occupations (demo/synthetic.py): for each, the titles, employers and the
pools of duties, requirements and preferred skills its postings are written from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Template:
    """One occupation's words. The engine draws a title and an employer from it, in proportion to `weight`
    among the templates; the writer uses the rest (`intros` open a posting, and `write_listing` draws
    duties, requirements and preferred skills from their pools)."""

    code: str
    label: str
    titles: tuple[str, ...]
    employers: tuple[str, ...]
    intros: tuple[str, ...]
    duties: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()
    weight: float = 1.0


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "15-1232.00",
            "Computer User Support Specialists",
            (
                "IT Support Specialist",
                "Help Desk Technician",
                "Desktop Support Technician",
                "Service Desk Analyst",
                "IT Support Technician II",
            ),
            (
                "Riverside Health",
                "Metro Schools",
                "Summit Credit Union",
                "Northgate Logistics",
                "County of Franklin",
            ),
            (
                "Our service desk keeps {n} staff productive across {sites} sites.",
                "Join a friendly IT team supporting clinics, offices and remote staff.",
                "You will be the first point of contact for technology questions.",
            ),
            (
                "Troubleshoot Windows workstations, laptops and printers",
                "Reset passwords and manage Active Directory accounts",
                "Log and resolve tickets in ServiceNow",
                "Image and deploy new computers",
                "Support Microsoft 365 and Outlook",
                "Configure VPN access for remote users",
                "Document fixes in the knowledge base",
                "Set up mobile devices and multi-factor authentication",
                "Escalate network issues to the infrastructure team",
            ),
            (
                "Experience with Windows 10 and Windows 11",
                "Knowledge of Active Directory",
                "Customer service skills",
                "Experience with ticketing systems",
                "Basic networking knowledge (TCP/IP, DNS, DHCP)",
                "Clear written and verbal communication",
            ),
            (
                "CompTIA A+ certification",
                "Experience with PowerShell scripting",
                "Familiarity with macOS",
                "Experience with SQL queries",
            ),
        ),
        Template(
            "15-1212.00",
            "Information Security Analysts",
            (
                "Information Security Analyst",
                "Cybersecurity Analyst",
                "SOC Analyst",
                "Security Operations Analyst",
            ),
            ("State Credit Union", "Riverside Health", "Great Lakes Insurance", "Buckeye Energy"),
            (
                "Protect patient and member data across a hybrid network.",
                "Our security operations center monitors {n} endpoints around the clock.",
            ),
            (
                "Monitor alerts in Splunk and triage incidents",
                "Perform vulnerability scans and track remediation",
                "Investigate phishing reports",
                "Maintain firewall rules and review access logs",
                "Write incident reports and post-incident reviews",
                "Support audits against NIST 800-53 controls",
                "Harden servers and workstations",
            ),
            (
                "Experience with SIEM tools",
                "Knowledge of network security and firewalls",
                "Incident response experience",
                "Understanding of risk management",
                "Experience with vulnerability management",
            ),
            (
                "Security+ certification",
                "Experience with Python scripting",
                "Knowledge of cloud security",
                "Experience with penetration testing",
            ),
        ),
        Template(
            "51-4121.00",
            "Welders, Cutters, Solderers, and Brazers",
            ("Welder", "MIG Welder", "Welder / Fabricator", "Structural Welder", "Production Welder"),
            ("Buckeye Fab", "Northside Manufacturing", "Lakeshore Trailers", "Ironworks Inc."),
            (
                "We build steel frames and trailers for customers across the Midwest.",
                "Join a fabrication shop of {n} people on {shifts} shifts.",
            ),
            (
                "Weld carbon steel assemblies using MIG welding",
                "Read blueprints and welding symbols",
                "Fit and tack parts before final welds",
                "Operate plasma cutters and grinders",
                "Inspect welds for quality",
                "Maintain a safe and clean work area",
                "Set up jigs and fixtures",
            ),
            (
                "Experience with MIG welding",
                "Ability to read blueprints",
                "Knowledge of welding safety",
                "Ability to lift 50 pounds",
                "Experience with flux-cored arc welding",
            ),
            (
                "AWS D1.1 certification",
                "Experience with TIG welding on aluminum",
                "Forklift experience",
                "Experience with stick welding",
            ),
        ),
        Template(
            "31-9092.00",
            "Medical Assistants",
            (
                "Medical Assistant",
                "Certified Medical Assistant",
                "Clinical Medical Assistant",
                "Medical Assistant - Family Practice",
            ),
            ("Lakeview Clinic", "Riverside Health", "Valley Pediatrics", "Community Care Partners"),
            (
                "Our family practice sees {n} patients a week.",
                "Support physicians in a busy outpatient clinic.",
            ),
            (
                "Take vital signs and record patient histories",
                "Room patients and prepare them for exams",
                "Perform phlebotomy and collect specimens",
                "Give injections and immunizations",
                "Update electronic health records",
                "Schedule appointments and referrals",
                "Sterilize instruments",
            ),
            (
                "Knowledge of medical terminology",
                "Experience with electronic health records",
                "Phlebotomy skills",
                "Customer service skills",
                "Knowledge of infection control",
            ),
            (
                "CMA or RMA certification",
                "Bilingual in English and Spanish",
                "Experience with Epic",
                "BLS certification",
            ),
        ),
        Template(
            "15-2051.00",
            "Data Scientists",
            (
                "Data Analyst",
                "Data Scientist",
                "Business Intelligence Analyst",
                "Senior Data Analyst",
                "Analytics Specialist",
            ),
            (
                "Metro Transit",
                "Great Lakes Insurance",
                "Summit Retail Group",
                "Buckeye Energy",
                "County of Franklin",
            ),
            ("Turn data into decisions for {n} teams.", "Help our leaders understand what the numbers say."),
            (
                "Query data with SQL",
                "Build dashboards in Tableau",
                "Clean and analyze data in Python",
                "Present findings to stakeholders",
                "Design and evaluate A/B tests",
                "Automate recurring reports",
                "Build statistical models",
            ),
            (
                "Experience with SQL",
                "Experience with Python or R",
                "Knowledge of statistics",
                "Experience with data visualization",
                "Advanced Excel skills",
            ),
            (
                "Experience with machine learning",
                "Experience with cloud data warehouses",
                "Knowledge of Git",
                "Experience with Power BI",
            ),
        ),
        Template(
            "51-4041.00",
            "Machinists",
            (
                "CNC Machinist",
                "CNC Operator",
                "Machinist",
                "CNC Lathe Machinist",
                "Second Shift CNC Machinist",
            ),
            (
                "Precision Parts Co",
                "Northside Manufacturing",
                "Toledo Tool & Die",
                "Apex Aerospace Components",
            ),
            (
                "We machine precision parts for aerospace and medical customers.",
                "A {n}-machine shop running {shifts} shifts.",
            ),
            (
                "Set up and operate CNC mills and lathes",
                "Read blueprints and apply GD&T",
                "Measure parts with micrometers and calipers",
                "Change tools and offsets",
                "Perform first article inspection",
                "Edit G-code programs at the machine",
                "Perform preventive maintenance",
            ),
            (
                "Experience operating CNC machines",
                "Ability to read blueprints",
                "Knowledge of GD&T",
                "Experience with precision measuring tools",
                "Basic shop math",
            ),
            (
                "Experience with 5-axis machines",
                "Experience with Mastercam",
                "Knowledge of Haas or Fanuc controls",
            ),
        ),
        Template(
            "51-9162.00",
            "Computer Numerically Controlled Tool Programmers",
            ("CNC Programmer", "CAM Programmer", "CNC Programmer / Machinist"),
            ("Apex Aerospace Components", "Precision Parts Co", "Toledo Tool & Die"),
            ("Program the machines that make parts for {n} customers.",),
            (
                "Write CNC programs with Mastercam",
                "Prove out new programs on the machine",
                "Select tooling, speeds and feeds",
                "Optimize cycle times",
                "Create setup sheets",
                "Work with engineering on manufacturability",
            ),
            (
                "Experience with CAM software",
                "Knowledge of G-code",
                "Knowledge of GD&T",
                "Ability to read blueprints",
            ),
            (
                "Experience with SolidWorks",
                "Experience with 5-axis programming",
                "Experience with Fusion 360",
            ),
        ),
    )
}
