# 社区创建工作管理平台 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
CJ := .venv/bin/chuangjian
PORT ?= 8000
PYTHON ?= python3

.PHONY: run test lint setup system system-test venv assets messages static keys db demo serve clean

run: setup keys db demo serve

setup: system venv assets messages static

system:
	@scripts/system-packages.sh

system-test:
	@scripts/system-packages.sh --test

venv: .venv/.installed
.venv/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv .venv
	@$(PY) -m pip install -q --upgrade pip
	@# The lock pins the whole tree; pyproject names the direct dependencies.
	@$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $@

assets: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

messages: venv
	@cd chuangjian && ../$(CJ) compilemessages -v0 --ignore '.venv' --ignore 'node_modules'

static: venv assets
	@# Source maps are skipped: they are large and never needed on the intranet.
	@$(CJ) collectstatic --noinput -v0 -i '*.map'

# Development keys for the personal data (ID and phone numbers), made once and kept in
# var/ (never committed); production sets them in the environment (README).
keys:
	@mkdir -p var
	@test -s var/personal-data.env || (umask 077 && $(PYTHON) -c "import secrets; \
	  print('PERSONAL_DATA_KEYS=' + secrets.token_urlsafe(32)); \
	  print('PERSONAL_DATA_HASH_KEY=' + secrets.token_urlsafe(32))" > var/personal-data.env)

db: venv keys
	@$(CJ) migrate -v0
	@$(CJ) createcachetable
	@$(CJ) divisions load
	@$(CJ) standards load

demo: venv
	@$(CJ) demo

serve:
	@echo "打开 http://127.0.0.1:$(PORT)/ （Ctrl-C 停止）"
	@# One queue worker for long jobs (exports, ledgers) beside the web server; both stop together.
	@$(CJ) jobs_worker --interval 0.5 & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(CJ) runserver 127.0.0.1:$(PORT)

test: system-test venv assets messages
	@$(PY) -m pytest -n 2 -q

lint: venv
	@.venv/bin/ruff check .
	@.venv/bin/mypy chuangjian benchmarks

clean:
	rm -rf .venv node_modules var
