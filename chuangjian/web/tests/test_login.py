"""Login, the wrong-password message and the django-axes lockout, in Chinese."""

from __future__ import annotations

from django.urls import reverse

from chuangjian.org.testing import PASSWORD, World


def _login(client, username: str, password: str):
    return client.post(reverse("web:login"), {"username": username, "password": password},
                       REMOTE_ADDR="10.0.0.8")


def test_a_correct_password_opens_the_home_page(client, world: World) -> None:
    response = _login(client, "street_leader", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert "李卫东" in client.get(reverse("web:home")).content.decode()


def test_a_wrong_password_says_so_in_chinese_and_counts_down(client, world: World) -> None:
    html = _login(client, "street_leader", "wrong").content.decode()
    assert "用户名或密码不正确" in html
    assert "还可以再尝试 4 次" in html


def test_five_wrong_passwords_lock_the_account_with_the_chinese_message(client, world: World) -> None:
    for _ in range(4):
        assert _login(client, "street_leader", "wrong").status_code == 200
    response = _login(client, "street_leader", "wrong")
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试" in html
    # Even the right password is refused while locked out.
    response = _login(client, "street_leader", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(world: World) -> None:
    client = world.client_for(world.street_leader)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 302
