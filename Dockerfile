# skillpulse: one image for the web service and the extraction worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md NOTICE ./
COPY service ./service
COPY surveys ./surveys
COPY nlp ./nlp
COPY migrations ./migrations
COPY examples ./examples
RUN pip install . && useradd --create-home --uid 10001 skillpulse

USER skillpulse
EXPOSE 8000
CMD ["skillpulse", "serve", "--host", "0.0.0.0", "--port", "8000"]
