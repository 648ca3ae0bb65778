"""bot/settings.py: the typed guild settings and the one way to change them."""

from __future__ import annotations

import pytest

from bot.config import ThresholdsConfig
from bot.settings import GuildSettings, RoleCredit, SettingsChange, SettingsError

STORED = {"keyword_channels": [5], "disclaimer": "Ask your doctor.", "thresholds": {"answer": 0.6}}


def test_a_change_touches_only_its_fields_and_keeps_the_stored_form() -> None:
    after = SettingsChange(web_public=True).apply(STORED)
    assert after.stored() == {**STORED, "web_public": True}  # the JSON shape the store keeps
    assert after.thresholds == ThresholdsConfig(answer=0.6) and after.disclaimer == "Ask your doctor."
    reset = SettingsChange.resetting(["disclaimer", "thresholds"]).apply(STORED)
    assert reset.stored() == {"keyword_channels": [5]}
    credit = SettingsChange(role_credits={"9": RoleCredit(field="credentials", text="MD")}).apply({})
    assert credit.stored() == {
        "keyword_channels": [],
        "role_credits": {"9": {"field": "credentials", "text": "MD"}},
    }
    assert credit.credit_for(9) == RoleCredit(field="credentials", text="MD") and credit.credit_for(8) is None


def test_combined_changes_the_right_side_wins() -> None:
    both = SettingsChange(disclaimer="A", web_public=True) | SettingsChange.resetting(["disclaimer"])
    assert both.names == ["disclaimer", "web_public"] and both.reset == {"disclaimer"}
    assert both.apply(STORED).disclaimer is None
    again = both | SettingsChange(disclaimer="B")
    assert again.reset == frozenset() and again.apply(STORED).disclaimer == "B"
    # setting a list to empty is a change, not nothing
    assert SettingsChange(keyword_channels=[]) != SettingsChange() and not SettingsChange()
    assert SettingsChange(keyword_channels=[]).apply(STORED).keyword_channels == []


def test_bad_values_name_the_field_and_write_nothing() -> None:
    with pytest.raises(SettingsError, match=r"^disclaimer: String should have at most 2048"):
        SettingsChange(disclaimer="x" * 2049)
    with pytest.raises(SettingsError, match="no such setting: colour"):
        SettingsChange.resetting(["colour"])
    with pytest.raises(SettingsError, match="keyword_user_cooldown"):
        SettingsChange(keyword_user_cooldown=-1)
    full = {"keyword_channels": list(range(100))}  # a list that grows past its limit when merged
    with pytest.raises(SettingsError, match=r"^keyword_channels: List should have at most 100"):
        SettingsChange(keyword_channels=[*full["keyword_channels"], 100]).apply(full)
    with pytest.raises(SettingsError, match=r"^disclaimer: "):
        GuildSettings.from_stored({"disclaimer": 5})


def test_settings_an_older_version_stored_still_read() -> None:
    old = {"keyword_channels": [5], "retired_option": 1, "disclaimer": "Kept.", "thresholds": {"answer": 0.7}}
    with pytest.raises(SettingsError, match="retired_option"):
        GuildSettings.from_stored(old)
    readable = GuildSettings.readable({**old, "keyword_user_cooldown": -5})  # no longer allowed
    assert readable.keyword_channels == [5] and readable.disclaimer == "Kept."
    assert readable.thresholds == ThresholdsConfig(answer=0.7)  # typed, not the stored dict
    assert readable.keyword_user_cooldown is None
    # a change on top of it names the key to reset rather than writing it back silently
    with pytest.raises(SettingsError, match="retired_option"):
        SettingsChange(web_public=True).apply(old)
