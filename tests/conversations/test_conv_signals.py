"""Emergency detection in free text: broad on real distress, quiet on everyday phrases."""

from __future__ import annotations

import pytest

from conversations.signals import SignalDetector


@pytest.fixture(scope="module")
def detector() -> SignalDetector:
    return SignalDetector()


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        # French, including SMS spellings
        ("Je dors dans la rue", "homeless_tonight"),
        ("jdors dehors ce soir", "homeless_tonight"),
        ("jdors dehors", "homeless_tonight"),
        ("je dors ds la rue", "homeless_tonight"),
        ("je sais pas où dormir ce soir", "homeless_tonight"),
        ("J'ai nulle part où dormir", "homeless_tonight"),
        ("je n'ai nulle part où aller ce soir", "homeless_tonight"),
        ("Je suis À LA RUE", "homeless_tonight"),
        ("ma mère m'a mise à la porte", "homeless_tonight"),
        ("je me suis fait virer de chez moi", "homeless_tonight"),
        ("je suis sdf", "homeless_tonight"),
        ("je dors dans ma voiture", "homeless_tonight"),
        ("mon copain me frappe", "violence_against_women"),
        ("il me bat", "violence_against_women"),
        ("j'ai été violée", "violence_against_women"),
        ("je veux mourir", "suicidal_distress"),
        ("jveux mourir", "suicidal_distress"),
        ("j'ai envie de me suicider", "suicidal_distress"),
        ("j'en peux plus, je veux en finir", "suicidal_distress"),
        ("mon ami a fait une overdose", "medical_emergency"),
        # English
        ("I have nowhere to sleep tonight", "homeless_tonight"),
        ("I've got nowhere to stay", "homeless_tonight"),
        ("I'm homeless", "homeless_tonight"),
        ("I sleep on the street", "homeless_tonight"),
        ("sleeping rough since monday", "homeless_tonight"),
        ("my parents kicked me out", "homeless_tonight"),
        ("I sleep in my car", "homeless_tonight"),
        ("my boyfriend hits me", "violence_against_women"),
        ("I was raped", "violence_against_women"),
        ("I want to kill myself", "suicidal_distress"),
        ("I don't want to live anymore", "suicidal_distress"),
        ("my friend overdosed", "medical_emergency"),
        ("he is bleeding a lot", "medical_emergency"),
    ],
)
def test_emergency_is_detected(detector: SignalDetector, text: str, signal: str) -> None:
    assert signal in detector.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "mort de rire",
        "je suis mort de fatigue",
        "I need a flat",
        "je cherche un appartement",
        "je veux un logement",
        "j'habite rue de la Paix",
        "I'm looking for a job",
        "je me suis fait virer de mon travail",
        "bonjour",
        "",
    ],
)
def test_everyday_phrases_are_not_emergencies(detector: SignalDetector, text: str) -> None:
    assert detector.detect(text) == ()


def test_mixed_languages_are_all_tried(detector: SignalDetector) -> None:
    found = detector.detect("I'm homeless et je veux mourir")
    assert set(found) == {"homeless_tonight", "suicidal_distress"}


@pytest.mark.parametrize("band", ["u16", "16_17"])
def test_minor_reporting_violence_is_a_minor_in_danger(detector: SignalDetector, band: str) -> None:
    found = detector.detect("mon père me frappe", band)
    assert set(found) == {"violence_against_women", "minor_in_danger"}


@pytest.mark.parametrize("band", [None, "18_25", "not_said"])
def test_adult_or_unknown_age_reporting_violence(detector: SignalDetector, band: str) -> None:
    assert detector.detect("my partner hits me", band) == ("violence_against_women",)


def test_minor_without_violence_is_not_flagged(detector: SignalDetector) -> None:
    assert detector.detect("je cherche un stage", "16_17") == ()
