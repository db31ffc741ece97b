# The two commands a newcomer needs are `make run` and `make test`; the rest are for daily work.
.PHONY: run test worker beat bench lint format messages clean screenshots

run:  ## start the product on the embedded default (SQLite, in-process tasks, dev outbox)
	scripts/run

test:  ## install what is missing, then lint, checks and the test suite on PostgreSQL + Redis
	scripts/test

worker:  ## the Celery workers (needs REDIS_URL): other tasks (prefork) and the outbox (threads)
	scripts/bootstrap
	scripts/worker

beat:  ## the Celery scheduler (needs REDIS_URL)
	scripts/bootstrap
	.venv/bin/celery -A portal beat --loglevel=INFO --schedule=$${VAR_DIR:-var}/celerybeat-schedule

bench:  ## benchmarks, printed as a table
	scripts/bench

screenshots:  ## regenerate the README's screenshots (desktop and phone) from the browser journeys
	scripts/screenshots

lint:  ## ruff, the layers contract (lint-imports prints the layers kept or broken), mypy, bandit, pip-audit
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/mypy
	scripts/security-lint

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

messages:  ## refresh the translation catalogues after changing user-facing strings
	.venv/bin/python manage.py makemessages -l fr -l en --no-obsolete --add-location file \
		--ignore=.venv --ignore=var --ignore=tests

clean:
	rm -rf var/test var/bench .pytest_cache .ruff_cache
