# Shortcuts for ./dev, which needs only Python 3.11+ (see README.md).
.PHONY: run test

run:
	./dev run

test:
	./dev test

