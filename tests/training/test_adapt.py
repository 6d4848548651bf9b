"""`python -m export.adapt` (make adapt) on mailboxes the test writes itself: the artifact it writes
serves through the real function code, its threshold holds the stated rate on the sample, its
explanations still add up to the graph's logit, and bad input stops it with exit 2 and no OUT."""

from __future__ import annotations

import json
import mailbox
import random
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import numpy as np
import pytest

from export import synthetic
from function import artifact, explain
from function.model import Model
from tests import support

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "model"

# A household's legitimate mail: the shops, newsletters and bills that a scam model tends to flag.
SHOPS = ["Harbour & Pine", "Northfield Outdoor", "Brightmart", "Kettle & Co", "Lumen Books", "PetPantry",
         "Copper Lane Home", "Greenleaf Grocers", "Stride Running", "Oakwell Garden Centre"]
OFFERS = ["{pct}% off everything ends tonight", "Last chance: {pct}% off {thing}",
          "Flash sale, 24 hours only", "Members save {pct}% this weekend",
          "Free delivery on orders over ${amount}", "Your weekly deals are here",
          "New in: {thing} you'll love",
          "Don't miss out: {pct}% off ends Sunday"]
THINGS = ["winter coats", "garden tools", "running shoes", "cookware", "board games", "dog beds", "bedding",
          "kids' books", "coffee machines", "houseplants"]
PROMO_BODY = ["Hi {name}, our biggest sale of the season is on now.", "Shop now before it's gone.",
              "Use code {code} at checkout.", "Offer ends {day} at midnight.",
              "Exclusive members-only prices.", "Hurry, limited stock.", "View this email in your browser.",
              "Unsubscribe or manage preferences.",
              "You're receiving this because you signed up at {shop}.", "Free returns within 30 days.",
              "Claim your discount today.", "See all offers at urladdress"]
NEWS = ["This week in the {topic} club: meeting notes and the photo competition winner.",
        "The {day} newsletter: {topic} tips for the season, and what our readers sent in.",
        "School update: the {topic} trip is on {day}; please return the consent form by Friday.",
        "Parish news: the {topic} fair raised ${amount} for the roof fund. Thank you all."]
TOPICS = ["gardening", "chess", "cycling", "baking", "birdwatching", "history", "football", "choir"]
BILLS = ["Your order #{code} has shipped. Track it at urladdress. Thanks for shopping with {shop}.",
         "Receipt for your payment of ${amount}.00 to {shop}. Keep this email for your records.",
         "Your {month} statement is ready. Log in to view it. Minimum payment due on the {n}th.",
         "Your direct debit of ${amount}.00 for {shop} will be taken on {day}.",
         "Thanks for your order, {name}. Delivery is booked for {day} between 8am and noon."]
ALERTS = ["New sign-in to your {shop} account from Chrome on Windows. If this was you, there is nothing "
          "to do. If not, secure your account in the app.",
          "Your verification code is {n}{code}. It expires in 10 minutes. Don't share it with anyone.",
          "Your payment of ${amount}.00 to {shop} was declined. Update your card in your account settings.",
          "Your parcel from {shop} could not be delivered on {day}. We'll try again tomorrow."]
# Scams written for this test, beside the generator's: offers and bills, as a household receives them.
OWN_SCAMS = [("Congratulations {name}, you have been selected",
              "You have been selected to receive a ${amount} {shop} gift card. Complete our 30-second "
              "survey to claim your reward today: urladdress. Offer expires in 24 hours."),
             ("Your {shop} order is on hold", "We could not deliver your parcel. A redelivery fee of $1.99 "
              "is due. Pay now at urladdress or your order will be returned."),
             ("Final notice: renewal of ${amount}.00", "Your subscription renews today for ${amount}.00. If "
              "you did not authorise this, call our billing desk on +1 (888) 555-0{n} to cancel and get a "
              "refund."),
             ("{pct}% off: {shop} clearance", "Everything must go! {thing} at {pct}% off, today only. Pay "
              "by gift card or crypto for an extra 10% off. Shop at urladdress before stock runs out.")]
NAMES = ["Sam", "Priya", "Tom", "Aoife", "Marek", "Lena", "Chris", "Nadia"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "October", "November", "December"]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(pct=rng.choice([15, 20, 25, 30, 40, 50, 60]), thing=rng.choice(THINGS),
                           amount=rng.randint(5, 400), name=rng.choice(NAMES), shop=rng.choice(SHOPS),
                           code=f"{rng.choice('ABCDEFGH')}{rng.randint(1000, 99999)}", day=rng.choice(DAYS),
                           topic=rng.choice(TOPICS), month=rng.choice(MONTHS), n=rng.randint(2, 28))


def household_legit(rng: random.Random) -> tuple[str, str]:
    """(subject, body) of one legitimate household message: mostly promotions, some news and bills."""
    kind = rng.random()
    if kind < 0.6:
        body = " ".join(_fill(rng, t) for t in rng.sample(PROMO_BODY, rng.randint(4, 8)))
        return _fill(rng, rng.choice(OFFERS)), body
    if kind < 0.75:
        return f"{rng.choice(TOPICS).title()} news", _fill(rng, rng.choice(NEWS))
    if kind < 0.9:
        return f"Your account with {rng.choice(SHOPS)}", _fill(rng, rng.choice(BILLS))
    return "Account notice", _fill(rng, rng.choice(ALERTS))


def scams(count: int, seed: int) -> list[tuple[str, str]]:
    """(subject, body) of scam e-mails: half made by the project's generator, half from OWN_SCAMS."""
    rng = random.Random(seed)
    rows = [r for r in synthetic.generate(count * 3 + 40, seed)
            if r["label"] == "scam" and r["channel"] == "email"]
    made = [tuple(r["text"].removeprefix("Subject: ").split("\n", 1)) for r in rows[: count - count // 2]]
    own = [(_fill(rng, s), _fill(rng, b)) for s, b in (rng.choice(OWN_SCAMS) for _ in range(count // 2))]
    return made + own


def _eml(subject: str, body: str, sender: str) -> bytes:
    message = EmailMessage()
    message["From"], message["Subject"] = sender, subject
    message.set_content(body)
    return bytes(message)


def write_mailbox(root: Path, legit: int, scam: int, seed: int = 5) -> Path:
    """root/legit/ (.eml files, some .txt and suffix-less) and root/scam/ (.eml files and one .mbox)."""
    rng = random.Random(seed)
    (root / "legit").mkdir(parents=True)
    (root / "scam").mkdir()
    for i in range(legit):
        subject, body = household_legit(rng)
        if i % 5 == 0:  # a long newsletter
            body = "\n".join(household_legit(rng)[1] for _ in range(12))
        data = _eml(subject, f"{body}\n\nRef {i}", f"news@shop{i % 9}.example")
        (root / "legit" / f"{i:04}{['.eml', '.txt', ''][i % 3]}").write_bytes(data)
    found = scams(scam, seed)
    in_mbox = mailbox.mbox(str(root / "scam" / "old.mbox"))
    for i, (subject, body) in enumerate(found):
        if i % 5 == 0:  # a scam padded with a household's mail
            body = "\n".join([body, *(household_legit(rng)[1] for _ in range(8))])
        data = _eml(subject, f"{body}\n\nCase {i}", f"alert{i}@mail{i % 7}.example")
        if i % 4 == 0:
            in_mbox.add(data)
        else:
            (root / "scam" / f"{i:04}.eml").write_bytes(data)
    in_mbox.flush()
    return root


def adapt(*args: str | Path) -> subprocess.CompletedProcess:
    """`python -m export.adapt` as a customer runs it."""
    return subprocess.run([sys.executable, "-m", "export.adapt", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.log(p / (1 - p))


@pytest.fixture(scope="module")
def mail(tmp_path_factory) -> Path:
    return write_mailbox(tmp_path_factory.mktemp("sample"), legit=45, scam=35)


@pytest.fixture(scope="module")
def adapted(mail: Path, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("adapted") / "out"
    return out, adapt("--mail", mail, "--out", out, "--max-false-alarms", "1%")


def _texts(mail: Path, label: str) -> list[str]:
    from export.adapt import sample

    found = sample.read(mail)
    return [t for t, y in zip(found.texts, found.labels, strict=True) if y == sample.LABELS[label]]


def test_the_artifact_names_its_base_sample_and_rate(adapted, mail):
    out, done = adapted
    assert done.returncode == 0, done.stderr
    meta = artifact.read(out).meta  # every file's sha256 checked
    base = artifact.read(BASE).meta
    assert meta["adapted_from"] == {"name": base["name"], "version": base["version"]}
    assert meta["version"] != base["version"]
    a = meta["adaptation"]
    assert a["sample"]["counts"] == {"legit": 45, "scam": 35}
    assert len(a["sample"]["sha256"]) == 64
    assert a["max_false_alarms"] == 0.01
    assert a["supported"] is False and a["legit_needed"] == 300  # 45 legit cannot pin down 1 %
    assert "255 more" in done.stdout and "255 more" in (out / "report.md").read_text()
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_it_serves_through_the_function_at_the_stated_rate(adapted, mail, serve):
    out, _ = adapted
    meta = artifact.read(out).meta
    model = Model(artifact.read(out), threads=1)
    legit, scam = _texts(mail, "legit"), _texts(mail, "scam")
    allowed = int(meta["adaptation"]["max_false_alarms"] * len(legit))
    assert (model.scores(legit) >= model.threshold).sum() <= allowed
    cv = meta["adaptation"]["cross_validation"]
    assert cv["legit_flagged"] <= allowed and cv["legit"] == len(legit)
    assert np.mean(model.scores(scam) >= model.threshold) >= 0.8
    server = serve({"MODEL_DIR": str(out)})
    reply = support.call(server.url + "/predict", "POST", json.dumps({"text": legit[0]}).encode(),
                         {"Content-Type": "application/json"}).json()
    assert reply["model"] == {"name": meta["name"], "version": meta["version"]}
    assert reply["threshold"] == meta["threshold"] and reply["prediction"] is False


def test_the_explanations_still_sum_to_the_graphs_logit(adapted, mail):
    out, _ = adapted
    model = Model(artifact.read(out), threads=1)
    tables = explain.Linear(out / "explain.npz")
    base_tables = explain.Linear(BASE / "explain.npz")
    assert not np.array_equal(tables.weights, base_tables.weights)  # the head moved
    for text in _texts(mail, "legit")[:5] + _texts(mail, "scam")[:5]:
        ids = np.asarray(model.encoding.kept(model.tokenizer, text)[0], dtype=np.int64)
        _, _, shares, logit = tables.shares(ids)
        assert abs(shares.sum() + tables.bias - logit) < 1e-9
        assert abs(logit - _logit(model.scores([text]))[0]) < 1e-3


def test_threshold_only_changes_nothing_but_the_threshold(mail, tmp_path):
    from export.adapt.__main__ import main

    out = tmp_path / "out"
    assert main(["--mail", str(mail), "--out", str(out), "--threshold-only"]) == 0
    meta, base = artifact.read(out).meta, artifact.read(BASE).meta
    for name in ("model.onnx", "tokenizer.json", "explain.npz"):
        assert (out / name).read_bytes() == (BASE / name).read_bytes()
    assert meta["adaptation"]["threshold_only"] is True and meta["version"] != base["version"]
    legit = _texts(mail, "legit")
    model = Model(artifact.read(out), threads=1)
    assert (model.scores(legit) >= model.threshold).sum() <= int(0.01 * len(legit))


def test_the_sample_reader_skips_hidden_files_and_hashes_what_it_read(mail, tmp_path):
    from export.adapt import sample

    copy = shutil.copytree(mail, tmp_path / "sample")
    (copy / "legit" / ".DS_Store").write_bytes(b"\x00\x01binary")
    (copy / "scam" / ".git").mkdir()
    (copy / "scam" / ".git" / "HEAD").write_text("ref: refs/heads/main")
    found, original = sample.read(copy), sample.read(mail)
    assert found.counts() == original.counts() == {"legit": 45, "scam": 35}
    assert found.read == {"legit": 45, "scam": 35} and found.sha256 == original.sha256
    first = sorted((copy / "legit").glob("*.eml"))[0]
    first.write_bytes(first.read_bytes().replace(b"Ref 0", b"Ref 0, edited"))
    assert sample.read(copy).sha256 != original.sha256
    part = sample._at_most(original, 50)
    assert len(part.texts) == len(part.labels) == 50 and part.unused == 30
    assert part == sample._at_most(original, 50) and set(part.texts) < set(original.texts)


def _swapped(mail: Path, root: Path) -> Path:
    shutil.copytree(mail / "legit", root / "scam")
    shutil.copytree(mail / "scam", root / "legit")
    return root


def _emptied(mail: Path, root: Path) -> Path:
    shutil.copytree(mail / "legit", root / "legit")
    (root / "scam").mkdir()
    return root


def _binary(mail: Path, root: Path) -> Path:
    shutil.copytree(mail, root)
    (root / "legit" / "scan.eml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return root


def _copies(mail: Path, root: Path) -> Path:
    shutil.copytree(mail, root)
    first = next((root / "legit").glob("*.eml")).read_bytes()
    for i in range(200):
        (root / "legit" / f"copy{i}.eml").write_bytes(first)
    return root


@pytest.mark.parametrize(("make", "message"), [
    (_emptied, "scam is empty: both legit/ and scam/ need messages"),
    (_binary, "scan.eml is not a text message"),
    (_copies, "the sample is mostly duplicates: 200 of 280 messages repeat another"),
    (_swapped, "the labels look swapped"),
])
def test_bad_samples_exit_2_with_one_line_and_write_nothing(make, message, mail, tmp_path, capsys):
    from export.adapt.__main__ import main

    out = tmp_path / "out"
    assert main(["--mail", str(make(mail, tmp_path / "sample")), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("out", [BASE, BASE / "adapted", ROOT])
def test_out_must_not_be_or_overlap_the_base(out, mail, capsys):
    from export.adapt.__main__ import main

    before = (BASE / "model.json").read_bytes()
    assert main(["--mail", str(mail), "--out", str(out)]) == 2
    assert "overlaps it: choose a new folder" in capsys.readouterr().err
    assert (BASE / "model.json").read_bytes() == before and not (BASE / "adapted").exists()


def test_out_is_replaced_only_when_it_is_an_adapted_artifact(adapted, mail, tmp_path, capsys):
    from export.adapt.__main__ import main

    other = ROOT / "model-minilm"  # an artifact, but no adapted one: never replaced
    before = (other / "model.json").read_bytes()
    assert main(["--mail", str(mail), "--out", str(other), "--threshold-only"]) == 2
    assert "is not an adapted artifact" in capsys.readouterr().err
    assert (other / "model.json").read_bytes() == before
    again = tmp_path / "again"
    shutil.copytree(adapted[0], again)
    (again / "stale.txt").write_text("from the earlier run")
    assert main(["--mail", str(mail), "--out", str(again), "--threshold-only"]) == 0
    assert not (again / "stale.txt").exists() and artifact.read(again).meta["adaptation"]["threshold_only"]


def test_the_command_line(tmp_path):
    done = adapt("--help")
    assert done.returncode == 0 and "--max-false-alarms" in done.stdout and "--threshold-only" in done.stdout
    done = adapt("--mail", tmp_path, "--out", tmp_path / "out", "--max-false-alarms", "150%")
    assert done.returncode == 2 and done.stderr.strip().endswith("is not between 0 and 50%")
    assert done.stderr.count("\n") == 1 and not (tmp_path / "out").exists()
