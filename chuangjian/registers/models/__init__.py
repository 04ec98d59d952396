"""The registers' tables: residents and households, and the registers that name them."""

from chuangjian.registers.models.people import Household, Person, ResidenceType, Sex
from chuangjian.registers.models.records import (
    BPReading,
    Facility,
    FacilityKind,
    FamilyHonour,
    FamilyKind,
    HonourLevel,
    MediationCase,
    MediationOutcome,
    MediationParty,
    Placement,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)

__all__ = [
    "BPReading", "Facility", "FacilityKind", "FamilyHonour", "FamilyKind", "HonourLevel",
    "Household", "MediationCase", "MediationOutcome", "MediationParty", "Person",
    "Placement", "ResidenceType", "ServiceRecord", "Sex", "Volunteer", "VolunteerTeam",
]
