# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/app/staticfiles

RUN useradd --create-home --uid 10001 app
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --no-cache-dir .

COPY . .
# collectstatic needs settings but no secrets or services.
RUN DEBUG=0 SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused \
    python manage.py collectstatic --no-input \
    && mkdir -p /exports && chown -R app:app /app /exports

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "config.redaction.GunicornLogger"]
