"""Settings from the environment: defaults, overrides, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SLACK_API_URL, ConfigError, Settings, knowledge_dir
from bot.engine.knowledge import default_dir

BOT = "xoxb-1111-2222-abcdefSECRET"
APP = "xapp-1-A111-222-abcdefSECRET"
SIGNING = "0123456789abcdefSECRET"


def problems(environ: dict[str, str], mode: str = "socket") -> list[str]:
    with pytest.raises(ConfigError) as err:
        Settings.from_env(environ, mode)  # type: ignore[arg-type]
    return err.value.problems


def test_socket_mode_needs_only_the_two_tokens_and_has_defaults() -> None:
    s = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP}, "socket")

    assert (s.slack_bot_token, s.slack_app_token) == (BOT, APP)
    assert s.slack_api_url == SLACK_API_URL
    assert s.support_channel_id is None and s.port == 3000 and s.log_level == "INFO"
    assert s.knowledge_dir == default_dir()


def test_http_mode_needs_the_signing_secret_not_the_app_token() -> None:
    s = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": SIGNING}, "http")
    assert s.slack_signing_secret == SIGNING and s.mode == "http"

    [problem] = problems({"SLACK_BOT_TOKEN": BOT}, "http")
    assert problem.startswith("SLACK_SIGNING_SECRET is not set")


def test_every_missing_variable_is_named_at_once() -> None:
    found = problems({})
    assert [p.split()[0] for p in found] == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]
    assert "--http" in found[1]  # says how to do without it


def test_the_cli_mode_needs_no_slack_tokens() -> None:
    assert Settings.from_env({}, "cli").slack_bot_token == ""


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token-SECRET"),
        ("SLACK_BOT_TOKEN", "xoxb-with space-SECRET"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token-SECRET"),
        ("SLACK_API_URL", "ftp://slack.example/api"),
        ("SLACK_API_URL", "slack.com/api"),
        ("SUPPORT_CHANNEL_ID", "#support"),
        ("SUPPORT_CHANNEL_ID", "c0123abcd"),
        ("PORT", "http"),
        ("PORT", "70000"),
        ("PORT", "0"),
        ("KNOWLEDGE_DIR", "/no/such/directory"),
        ("LOG_LEVEL", "loud"),
        ("SUPPORT_CONTACT", "x" * 201),
    ],
)
def test_a_malformed_variable_is_named_and_its_secret_not_shown(name: str, value: str) -> None:
    environ = {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, name: value}
    [problem] = problems(environ)

    assert problem.startswith(f"{name} is malformed")
    assert "SECRET" not in problem


def test_values_are_read_and_normalised(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT,
            "SLACK_APP_TOKEN": APP,
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "SUPPORT_CHANNEL_ID": "C0SUPPORT",
            "SUPPORT_CONTACT": "het supportteam",
            "HOST": "127.0.0.1",
            "PORT": "8080",
            "KNOWLEDGE_DIR": str(tmp_path),
            "LOG_LEVEL": "debug",
        }
    )
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"  # the SDK appends method names
    assert (s.support_channel_id, s.support_contact) == ("C0SUPPORT", "het supportteam")
    assert (s.host, s.port, s.knowledge_dir, s.log_level) == ("127.0.0.1", 8080, tmp_path, "DEBUG")


def test_empty_means_unset() -> None:
    s = Settings.from_env(
        {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "PORT": "", "SUPPORT_CHANNEL_ID": " "}
    )
    assert s.port == 3000 and s.support_channel_id is None
    assert problems({"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": APP})[0].startswith(
        "SLACK_BOT_TOKEN is not set"
    )


def test_secrets_never_show_in_repr() -> None:
    s = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_SIGNING_SECRET": SIGNING})
    assert "SECRET" not in repr(s)


def test_settings_are_frozen() -> None:
    s = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP})
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]


# ---------------------------------------------------------------- storage and OAuth


def test_storage_defaults_when_nothing_is_set() -> None:
    s = Settings.from_env({}, mode="cli")
    assert (s.database_url, s.store_questions, s.retention_days) == (None, True, 90)


def test_storage_values_from_the_environment() -> None:
    env = {
        "DATABASE_URL": "postgresql+psycopg://bot:pw@db/bot",
        "STORE_QUESTIONS": "off",
        "RETENTION_DAYS": "30",
    }
    s = Settings.from_env(env, mode="cli")
    assert (s.database_url, s.store_questions, s.retention_days) == (env["DATABASE_URL"], False, 30)
    assert "pw" not in repr(s)  # the URL may hold a password


@pytest.mark.parametrize("raw", ["yes", "TRUE", "1", "On"])
def test_store_questions_on(raw: str) -> None:
    assert Settings.from_env({"STORE_QUESTIONS": raw}, mode="cli").store_questions is True


def test_every_malformed_storage_variable_is_named() -> None:
    found = problems({"STORE_QUESTIONS": "maybe", "RETENTION_DAYS": "0", "DATABASE_URL": "mysql://x"}, "cli")
    assert [p.split()[0] for p in found] == ["DATABASE_URL", "STORE_QUESTIONS", "RETENTION_DAYS"]
    assert problems({"RETENTION_DAYS": "90d"}, "cli")[0].startswith("RETENTION_DAYS is malformed")


@pytest.mark.parametrize("raw", ["36501", "1000000", "9" * 40])
def test_retention_days_beyond_100_years_is_refused_naming_the_variable(raw: str) -> None:
    """A huge value would make every purge fail (the cutoff date overflows)."""
    [problem] = problems({"RETENTION_DAYS": raw}, "cli")
    assert problem.startswith("RETENTION_DAYS is malformed: expected whole days from 1 to 36500")
    assert Settings.from_env({"RETENTION_DAYS": "36500"}, mode="cli").retention_days == 36500


def test_oauth_app_replaces_the_bot_token_in_http_mode() -> None:
    env = {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "s3cret", "SLACK_SIGNING_SECRET": "x"}
    s = Settings.from_env(env, mode="http")
    assert s.oauth and s.slack_bot_token == ""
    assert "s3cret" not in repr(s)


def test_oauth_needs_both_halves_and_http_mode() -> None:
    only_id = problems({"SLACK_CLIENT_ID": "123.456", "SLACK_SIGNING_SECRET": "x"}, "http")
    assert only_id[0].startswith("SLACK_CLIENT_SECRET is not set")
    socket = problems(
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}, "socket"
    )
    assert socket[0].startswith("SLACK_CLIENT_ID is set") and "--http" in socket[0]


# ---------------------------------------------------------------- the knowledge directory


def test_knowledge_dir_is_the_option_else_the_variable_else_the_bundled_one(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    env = {"KNOWLEDGE_DIR": str(tmp_path)}

    assert knowledge_dir(str(other), env) == other
    assert knowledge_dir(None, env) == tmp_path
    assert knowledge_dir(None, {}) == default_dir()
    assert knowledge_dir(None, {"KNOWLEDGE_DIR": " "}) == default_dir()


def test_the_cli_and_serve_read_knowledge_dir_alike(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "KNOWLEDGE_DIR": str(tmp_path)}
    assert knowledge_dir(None, env) == Settings.from_env(env).knowledge_dir == tmp_path


def test_knowledge_dir_ignores_the_slack_variables_and_names_its_own_problem(tmp_path: Path) -> None:
    assert knowledge_dir(None, {"PORT": "http", "KNOWLEDGE_DIR": str(tmp_path)}) == tmp_path
    with pytest.raises(ConfigError) as err:
        knowledge_dir(None, {"KNOWLEDGE_DIR": str(tmp_path / "missing")})
    [problem] = err.value.problems
    assert problem.startswith("KNOWLEDGE_DIR is malformed") and "not a directory" in problem
