"""The morning's group message through 企业微信, 钉钉 and 飞书 robots, against a real HTTP server on 127.0.0.1.

The expected JSON is each platform's documented one (企业微信 群机器人配置说明: msgtype markdown, content at most
4,096 bytes; 钉钉 自定义机器人: msgtype markdown {title, text}, at.atMobiles with each @number also in the text; 飞书
自定义机器人: msg_type post, content.post.zh_cn {title, content: [[{tag: text, text}]]}), and the signatures are
recomputed here from the vendors' documented algorithms.  The workbook is test_remind's, whose due customers were
worked out by hand there: 李销售 A and E, 王销售 B and D, all due today; F needs a manager.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest
from chat_server import Robot, serving
from test_remind import MASKED, MOBILE, NAMES, TEAM, TODAY, build
from typer.testing import CliRunner

from crm_sheets import chat
from crm_sheets.app import day, remind
from crm_sheets.cli import app
from crm_sheets.mail import LEDGER
from crm_sheets.stores.file import FileStore

SECRET = "SEC0123456789abcdefTEST"  # noqa: S105 - a made-up secret the test signs with
LI_MOBILE = "13900000001"  # 李销售's 团队 手机; the others have none
PATHS = {"企业微信": "/cgi-bin/webhook/send?key=693a91f6-7xxx", "钉钉": "/robot/send?access_token=ff6cd723bdb4",
         "飞书": "/open-apis/bot/v2/hook/0b1c2d3e-4f5a"}


@pytest.fixture()
def robot():
    with serving(Robot()) as server:
        yield server


def workbook(folder: Path, robot: Robot, show: str = "否", kinds=tuple(PATHS)) -> Path:
    team = [(*member, mobile) for member, mobile in zip(TEAM, ("", LI_MOBILE, ""))]
    return build(folder, None, team, more={"群机器人地址": "\n".join(robot.url(PATHS[k]) for k in kinds),
                                           "群消息显示客户": show})


def by_platform(robot: Robot) -> dict[str, list]:
    found: dict[str, list] = {}
    for r in robot.received:
        kind = next(k for k, p in PATHS.items() if p.split("?")[0] == r.path)
        found.setdefault(kind, []).append(r)
    return found


def texts(kind: str, body: dict) -> str:
    """Everything a group member reads in the message."""
    if kind == "企业微信":
        return body["markdown"]["content"]
    if kind == "钉钉":
        return body["markdown"]["title"] + "\n" + body["markdown"]["text"]
    post = body["content"]["post"]["zh_cn"]
    return post["title"] + "\n" + "\n".join(e["text"] for row in post["content"] for e in row)


def test_the_platform_is_known_from_the_path_on_any_host() -> None:
    assert chat.platform("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == "企业微信"
    assert chat.platform("http://127.0.0.1:8080/cgi-bin/webhook/send?key=abc") == "企业微信"
    assert chat.platform("https://oapi.dingtalk.com/robot/send?access_token=abc") == "钉钉"
    assert chat.platform("https://open.feishu.cn/open-apis/bot/v2/hook/abc") == "飞书"
    assert chat.platform("https://open.larksuite.com/open-apis/bot/v2/hook/abc") == "飞书"
    for other in ("https://example.com/hook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",  # no key
                  "ftp://127.0.0.1/robot/send?access_token=abc", "open.feishu.cn/open-apis/bot/v2/hook/abc"):
        assert chat.platform(other) is None, other


def test_each_group_gets_its_platforms_json_signed_as_documented_once_a_day(tmp_path: Path, robot: Robot,
                                                                            monkeypatch) -> None:
    monkeypatch.setenv("CRM_SHEETS_BOT_SECRET", SECRET)
    path = workbook(tmp_path, robot)
    before = time.time()
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    after = time.time()
    assert result.exit_code == 0, result.output
    assert "群消息：3 个群已收到" in result.output
    got = by_platform(robot)
    assert sorted(got) == sorted(PATHS) and all(len(v) == 1 for v in got.values())

    (wecom,) = got["企业微信"]
    assert wecom.query == {"key": "693a91f6-7xxx"} and set(wecom.body) == {"msgtype", "markdown"}
    assert wecom.body["msgtype"] == "markdown" and set(wecom.body["markdown"]) == {"content"}
    assert len(wecom.body["markdown"]["content"].encode("utf-8")) <= 4096

    (ding,) = got["钉钉"]
    assert ding.body["msgtype"] == "markdown" and set(ding.body["markdown"]) == {"title", "text"}
    assert ding.body["at"] == {"atMobiles": [LI_MOBILE], "isAtAll": False}
    assert f"@{LI_MOBILE}" in ding.body["markdown"]["text"]  # 钉钉 @s a number only where the text names it
    stamp = ding.query["timestamp"]
    assert before * 1000 - 1 <= int(stamp) <= after * 1000 + 1  # milliseconds
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert ding.query["sign"] == expected.decode()
    assert f"sign={urllib.parse.quote_plus(expected.decode())}" in ding.raw_query  # URL-encoded on the wire

    (feishu,) = got["飞书"]
    assert feishu.body["msg_type"] == "post" and feishu.query == {}
    post = feishu.body["content"]["post"]["zh_cn"]
    assert post["title"] and all(e["tag"] == "text" for row in post["content"] for e in row)
    stamp = feishu.body["timestamp"]
    assert isinstance(stamp, str) and int(before) - 1 <= int(stamp) <= after + 1  # seconds
    expected = base64.b64encode(hmac.new(f"{stamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
    assert feishu.body["sign"] == expected

    for kind, (request,) in got.items():
        said = texts(kind, request.body)
        # Each person's counts (hand-worked in test_remind) and the team's figures of the managers' digest.
        assert "李销售" in said and "王销售" in said and said.count("逾期 0 · 今天 2 · 本周内 0") == 2, said
        assert "需人工跟进 1" in said, said
        # Seen by the whole group: no customer and no customer's phone, masked or not.
        assert not any(name in said for name in NAMES.values()) and not MASKED.search(said), said
        assert set(MOBILE.findall(said)) <= {LI_MOBILE}, said

    again = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert again.exit_code == 0, again.output
    assert len(robot.received) == 3  # the same day again posts nothing


def test_customers_are_named_only_when_settings_say_so_and_phones_stay_masked(tmp_path: Path, robot: Robot) -> None:
    path = workbook(tmp_path, robot, show="是", kinds=("企业微信", "飞书"))
    remind.run(FileStore(path), today=TODAY)
    for kind, (request,) in by_platform(robot).items():
        said = texts(kind, request.body)
        li, wang = said.split("王销售")
        assert {n for n in NAMES.values() if n in li} == {NAMES["CRM2026092500001"], NAMES["CRM2026092500005"]}
        assert {n for n in NAMES.values() if n in wang} == {NAMES["CRM2026092500002"], NAMES["CRM2026092500004"]}
        assert set(MASKED.findall(said)) == {"138****0001", "138****0005", "138****0002", "138****0004"}, said
        assert not MOBILE.search(said), said


@pytest.mark.parametrize("refusal", [("errcode", 45009), ("http", 502), ("slow", 2.0)])
def test_a_robot_that_refuses_gets_the_message_at_the_next_try_once(tmp_path: Path, robot: Robot, refusal,
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(chat, "TIMEOUT", 0.5)
    path = workbook(tmp_path, robot, kinds=("企业微信",))
    robot.refuse.append(refusal)
    first = remind.run(FileStore(path), today=TODAY)
    assert first.chat == {"sent": 0, "failed": 1} and robot.received == []
    assert "1 个群没有收下" in "\n".join(first.lines("zh", dry_run=False))
    later = TODAY + dt.timedelta(minutes=5)  # past the ledger's back-off (1 minute after a first failure)
    assert remind.run(FileStore(path), today=later).chat == {"sent": 1, "failed": 0}
    assert remind.run(FileStore(path), today=later + dt.timedelta(hours=1)).chat == {"sent": 0, "failed": 0}
    (request,) = robot.received
    assert "今天 2" in request.body["markdown"]["content"]
    with sqlite3.connect(tmp_path / LEDGER) as db:
        assert db.execute("SELECT status, attempts FROM mail WHERE key LIKE '%|chat|%'").fetchall() == [("sent", 1)]


def test_the_jobs_morning_posts_too_and_its_retry_delivers_what_waits(tmp_path: Path, robot: Robot) -> None:
    path = workbook(tmp_path, robot, kinds=("钉钉",))
    robot.refuse.append(("errcode", 130101))  # 钉钉: sending too fast
    assert day.run(FileStore(path), today=TODAY).remind.chat == {"sent": 0, "failed": 1}
    day.deliver_waiting(FileStore(path), TODAY + dt.timedelta(minutes=5))
    day.deliver_waiting(FileStore(path), TODAY + dt.timedelta(minutes=30))
    (request,) = robot.received
    assert request.body["at"]["atMobiles"] == [LI_MOBILE]


def test_at_most_20_messages_a_minute_to_one_robot(robot: Robot) -> None:
    clock = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = chat.Pacer(clock=lambda: clock[0], sleep=sleep)
    one, other = robot.url(PATHS["企业微信"]), robot.url("/cgi-bin/webhook/send?key=other")
    body = {"msgtype": "markdown", "markdown": {"content": "x"}}
    for k in range(21):
        chat.post(one, body, pacer=pacer)
        if k < 20:
            chat.post(other, body, pacer=pacer)  # another robot's count is its own
        clock[0] += 0.5
    # The 21st to one robot waited until a minute after the first: 60 - 20 × 0.5 seconds.
    assert slept == [pytest.approx(50.0)] and len(robot.received) == 41


def test_test_chat_answers_one_line_per_robot_and_changes_nothing(tmp_path: Path, robot: Robot) -> None:
    path = workbook(tmp_path, robot)
    before = path.read_bytes()
    robot.refuse.append(("http", 404))  # the first robot (企业微信) refuses
    result = CliRunner().invoke(app, ["remind", "--test-chat", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 3, result.output
    assert lines[0].startswith("企业微信机器人") and "没有收下（HTTP 404" in lines[0]
    assert lines[1].startswith("钉钉机器人") and "已收下（0 ok）" in lines[1]
    assert lines[2].startswith("飞书机器人") and "已收下（0 success）" in lines[2]
    assert "693a91f6" not in result.output  # the robot's key is a password: only its end is shown
    assert path.read_bytes() == before and not (tmp_path / LEDGER).exists()
    assert [r.path for r in robot.received] == ["/robot/send", "/open-apis/bot/v2/hook/0b1c2d3e-4f5a"]


def test_an_address_that_is_no_robot_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = build(tmp_path, None, more={"群机器人地址": "https://oapi.dingtalk.com/robot/send?access_token=ok\n"
                                                      "https://example.com/webhook"})
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 2
    assert re.fullmatch(r"客户\.xlsx 工作表“设置”: 群机器人地址第 2 行“https://example\.com/webhook”.*文件未被修改。\n",
                        result.stderr), result.stderr
    assert path.read_bytes() == before and not (tmp_path / "outbox").exists()
