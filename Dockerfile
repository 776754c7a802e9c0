FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY bot ./bot
COPY conversations ./conversations
COPY domain ./domain
COPY admin ./admin
COPY workers ./workers
COPY migrations ./migrations
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8080
CMD ["fitzap", "serve"]
