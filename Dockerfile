# matchbot in a container: slim Python, runtime dependencies only, a non-root user, the
# database on the /data volume, HEALTHCHECK on /healthz. See docs/deploy.md.
#   docker build -t matchbot .
#   docker run -d --name matchbot --env-file .env -v matchbot-data:/data matchbot

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MATCHBOT_DB=/data/matchbot.db \
    MATCHBOT_METRICS_PORT=9464 \
    MATCHBOT_METRICS_HOST=0.0.0.0
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin matchbot \
    && mkdir -p /data && chown matchbot:matchbot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# the Italian catalogues compiled once here (the user below cannot write them beside the .po)
RUN python -c "from bot.messages import i18n; [i18n.translations('it', d) for d in ('matchbot', 'bare')]"
USER matchbot
WORKDIR /data
VOLUME ["/data"]
# /metrics, /healthz, /readyz (publish it only to where Prometheus runs)
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MATCHBOT_METRICS_PORT', '9464'), timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["matchbot", "run"]
