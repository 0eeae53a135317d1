# citypulse — the front door. Every target installs what it needs on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export TURBO_TELEMETRY_DISABLED := 1
export COREPACK_ENABLE_DOWNLOAD_PROMPT := 0

.PHONY: help bootstrap install up down status logs demo test test-unit test-int test-faults test-faults-cluster test-security bench build lint typecheck clean topics tail up-secure down-secure up-cluster down-cluster

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

bootstrap: ## install pnpm (corepack, else npm; into .stack/bin) and the workspace packages
	@scripts/bootstrap.sh

install: ## install every native service into .stack/ (idempotent; no start)
	@deploy/local/stack.sh install

up: ## start the native stack (Kafka, schema registry, FerretDB, PostgreSQL, Prometheus); waits until healthy
	@deploy/local/stack.sh up

down: ## stop everything `make up` started, and nothing else
	@deploy/local/stack.sh down

status: ## each service's state; exits non-zero when one is unhealthy
	@deploy/local/stack.sh status

logs: ## where each service logs
	@deploy/local/stack.sh logs

up-secure: ## start the opt-in secure profile beside the stack: Kafka with SASL/SCRAM over TLS, the registry behind basic auth
	@deploy/local/stack.sh up secure

down-secure: ## stop the secure profile (and nothing else)
	@deploy/local/stack.sh down secure

up-cluster: ## start the opt-in cluster profile beside the stack: three Kafka brokers (RF 3, min ISR 2), a Spark standalone master and two workers
	@deploy/local/stack.sh up cluster

down-cluster: ## stop the cluster profile (and nothing else)
	@deploy/local/stack.sh down cluster

demo: ## run the whole pipeline and show it working (DEMO_SECONDS=N to stop after N seconds)
	@scripts/demo.sh

test: ## lint, typecheck and every test tier against the real stack (starts and stops it if needed)
	@scripts/test.sh

test-faults: ## the fault suite: Kafka, Spark, normalizers and stores killed under load; exact windows after (FAULTS=kafka,spark picks cases)
	@scripts/test-faults.sh

test-faults-cluster: ## fault case 1 on the cluster profile: one broker of three SIGKILLed at a time under load (starts and stops the profile if needed)
	@scripts/test-faults.sh cluster

test-security: ## the services, Spark and the CLI on the secure profile (starts and stops what it needs; ~5 min)
	@scripts/test-security.sh

bench: ## benchmarks, side by side with their baselines (starts and stops the stack if needed)
	@scripts/bench.sh

topics: ## every topic: partitions, end offsets, lag per consumer group (TOPICS='traffic.*' some; JSON=1 as JSON)
	@scripts/cli.sh topics $(foreach t,$(TOPICS),'$(t)') $(if $(JSON),--json)

tail: ## the newest N records of TOPIC, Avro decoded, as JSON lines (TOPIC=alerts N=10; FOLLOW=1: until Ctrl-C)
	@[ -n "$(TOPIC)" ] || { echo "make tail TOPIC=<topic> [N=10] [FOLLOW=1] (make topics lists the topics)" >&2; exit 64; }
	@scripts/cli.sh tail '$(TOPIC)' -n '$(or $(N),10)' $(if $(FOLLOW),--follow)

build: bootstrap
	@. scripts/env.sh && pnpm turbo run build

lint: bootstrap
	@. scripts/env.sh && pnpm turbo run lint

typecheck: bootstrap
	@. scripts/env.sh && pnpm turbo run typecheck

clean: ## remove build outputs (keeps the .stack install cache)
	@rm -rf apps/*/dist libs/*/dist e2e/dist .turbo apps/*/.turbo libs/*/.turbo

.PHONY: compose-config
compose-config: ## validate docker-compose.yml quietly (env: .env, else .env.example; deploy/docker/check-compose.sh checks more)
	@$$(command -v docker-compose >/dev/null && echo docker-compose || echo docker compose) --env-file "$$([ -f .env ] && echo .env || echo .env.example)" -f docker-compose.yml config -q && echo "docker-compose.yml: valid"
