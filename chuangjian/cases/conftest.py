from chuangjian.cases.testing import cases  # noqa: F401 - the fixture, for this app's tests
