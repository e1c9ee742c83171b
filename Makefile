# Shortcuts for ./dev, which needs only Python 3.11+ (see README.md).
.PHONY: run test bench

run:
	./dev run

test:
	./dev test

# The benchmark against its own database (tipcms_bench): `make bench ARGS="--only 'case list'"`.
bench:
	./dev bench $(ARGS)
