import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from detector.config import Config, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


def test_documented_defaults_equal_built_in_defaults() -> None:
    documented = load_config(ROOT / "configs" / "default.yaml")
    assert documented == Config()
    assert documented.hash() == Config().hash()


def test_every_built_in_key_is_documented() -> None:
    import msgspec

    def keys(node: object, prefix: str = "") -> set[str]:
        if isinstance(node, dict):
            out = set()
            for k, v in node.items():
                out |= {f"{prefix}{k}"} | keys(v, f"{prefix}{k}.")
            return out
        return set()

    documented = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())
    assert keys(msgspec.to_builtins(Config())) <= keys(documented)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alerting:\n  threshhold: 0.9\n", "alerting.threshhold: unknown key"),
        ("nonsense: 1\n", "nonsense: unknown key"),
        ("alerting:\n  threshold: 1.5\n", "alerting.threshold: Expected `float` <= 1.0"),
        ("alerting:\n  threshold: high\n", "alerting.threshold: Expected `float`, got `str`"),
        ("state:\n  max_accounts: 0\n", "state.max_accounts: Expected `int` >= 1"),
        (
            "windows:\n  long: {length_s: 3600, bucket_s: 7}\n",
            "windows.long: length_s must be a whole multiple of bucket_s",
        ),
        (
            "windows:\n  short: {length_s: 72000, bucket_s: 600}\n",
            "windows: short.length_s must not exceed long.length_s",
        ),
        (
            "scoring:\n  rules:\n    foo_share: {weight: 1, low: 0, high: 1}\n",
            "scoring.rules.foo_share: unknown signal",
        ),
        (
            "scoring:\n  rules:\n    reasoning_share: {weight: 1, low: 0.5, high: 0.5}\n",
            "scoring.rules.reasoning_share: low and high must differ",
        ),
        ("fingerprints:\n  intents:\n    bad: ['(']\n", "fingerprints: intent 'bad': bad pattern"),
        ("alerting:\n  clear_below: 0.9\n", "alerting: clear_below must not exceed threshold"),
        ("- just a list\n", "top level must be a mapping"),
        ("a: [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_configs_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert message in str(err.value)


def test_partial_config_keeps_other_defaults(tmp_path: Path) -> None:
    cfg = load_config(
        write(
            tmp_path,
            "scoring:\n  rules:\n    reasoning_share: {weight: 2.0, low: 0.1, high: 0.9}\n",
        )
    )
    assert cfg.scoring.rules["reasoning_share"].weight == 2.0
    assert (
        cfg.scoring.rules["cot_elicitation_share"]
        == Config().scoring.rules["cot_elicitation_share"]
    )
    assert cfg.alerting == Config().alerting
    assert cfg.hash() != Config().hash()


def test_hash_ignores_key_order_and_int_float_spelling(tmp_path: Path) -> None:
    a = load_config(write(tmp_path, "alerting: {threshold: 0.8, cooldown_s: 600}\n"))
    b = load_config(write(tmp_path, "alerting: {cooldown_s: 600.0, threshold: 0.8}\n"))
    assert a.hash() == b.hash()
    assert len(a.hash()) == 12


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "absent.yaml")


def test_cli_exits_2_with_the_key_on_stderr(tmp_path: Path) -> None:
    path = write(tmp_path, "alerting:\n  cooldown_s: -1\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "detector",
            "replay",
            "--config",
            str(path),
            "--input",
            "x.jsonl",
            "--alerts",
            "a.jsonl",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "alerting.cooldown_s" in proc.stderr
