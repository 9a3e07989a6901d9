from detector.evaluation import Label, score_campaigns


def labels() -> dict[str, Label]:
    out = {f"h{i}": Label("hydra", "hydra-1") for i in range(10)}
    out.update({f"s{i}": Label("slow_and_low", "slow-1") for i in range(4)})
    out.update({f"u{i}": Label("ordinary", None) for i in range(10)})
    return out


def test_a_campaign_is_found_when_mostly_covered_and_mostly_pure() -> None:
    reported = {
        "cmp-a": {f"h{i}" for i in range(8)} | {"u0"},  # 80 % coverage, pure
        "cmp-b": {"s0", "u1", "u2", "u3"},
    }  # 25 % coverage
    first_seen = {a: 100.0 + i for i, a in enumerate(sorted(labels()))}
    m = score_campaigns(labels(), reported, {"cmp-a": 700.0, "cmp-b": 900.0}, first_seen)
    by_name = {x.campaign: x for x in m.matches}
    hydra, slow = by_name["hydra-1"], by_name["slow-1"]
    assert hydra.found and hydra.detected == "cmp-a"
    assert hydra.coverage == 0.8 and hydra.purity == 8 / 9
    assert hydra.ttd_s == 700.0 - min(first_seen[f"h{i}"] for i in range(10))
    assert not slow.found and slow.detected == "cmp-b"
    assert (m.found, m.total, m.reported) == (1, 2, 2)
    assert m.false_campaigns == ["cmp-b"]  # mostly ordinary users


def test_unreported_campaigns_and_report_sections() -> None:
    m = score_campaigns(labels(), {}, {}, {})
    assert m.found == 0 and all(x.detected is None and not x.found for x in m.matches)
    text = m.markdown()
    assert "0 of 2" in text and "not reported" in text
    assert m.to_dict()["campaigns"][0]["coverage"] == 0.0
