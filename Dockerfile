# Downhill in a container: migrations run before uvicorn (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DOWNHILL_DATA_DIR=/data \
    DOWNHILL_HOST=0.0.0.0 DOWNHILL_PORT=8000
WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY locales ./locales
COPY lessons ./lessons
RUN pip install --no-cache-dir -e . -c constraints.txt && useradd --create-home downhill \
    && mkdir -p /data && chown downhill /data
USER downhill
VOLUME ["/data"]
EXPOSE 8000
CMD ["sh", "-c", "downhill migrate && downhill demo && downhill serve"]
