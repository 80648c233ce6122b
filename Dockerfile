# skillpulse: one image for the web service and the extraction worker.
# Runs in production mode: it needs a private secret of 32 bytes or more and refuses to start without one:
#   docker run -e SKILLPULSE_SECRET_KEY=$(openssl rand -hex 32) -e SKILLPULSE_SECRET_KEYS=$(skillpulse secrets generate-key) -e SKILLPULSE_DATABASE_URL=... -p 8000:8000 IMAGE
# Behind a reverse proxy, list its address in SKILLPULSE_TRUSTED_PROXIES (e.g. 10.0.0.0/8) so that client
# addresses (sign-in throttling, the survey form's limit) come from its X-Forwarded-For.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 SKILLPULSE_ENV=production
WORKDIR /app

# Debian's chromium prints the program-review report to PDF (without it /report.pdf answers 503)
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml requirements.lock README.md NOTICE ./
COPY kernel ./kernel
COPY service ./service
COPY surveys ./surveys
COPY nlp ./nlp
COPY demo ./demo
COPY training ./training
COPY migrations ./migrations
COPY examples ./examples
RUN pip install -c requirements.lock . && useradd --create-home --uid 10001 skillpulse

USER skillpulse
# the indexes every NLP process derives from the packaged data (nlp/index_cache.py), built once here so that
# `serve`, `worker` and their pool processes start in seconds
RUN python -c "from service.nlp_runner import load_nlp_data; load_nlp_data()"
EXPOSE 8000
CMD ["skillpulse", "serve", "--host", "0.0.0.0", "--port", "8000"]
