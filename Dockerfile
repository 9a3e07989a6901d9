# distill-detector: the live service. Slim, non-root, with a health check on /healthz.
#   docker build -t distill-detector .
#   docker run --rm -p 9108:9108 distill-detector run --bootstrap-servers kafka:9092
FROM python:3.11-slim AS build
# The C passes (detector/_records.c, detector/_fingerprints.c on third_party/xxhash,
# detector/_kernels.c and detector/kafka/_batches.c) compile here; the image below gets the built modules, not the compiler.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY detector ./detector
COPY third_party ./third_party
RUN pip install --no-cache-dir --prefix=/install '.[fast]'

FROM python:3.11-slim
RUN groupadd --system --gid 10001 detector \
 && useradd --system --uid 10001 --gid detector --home-dir /var/lib/distill-detector detector \
 && mkdir -p /var/lib/distill-detector/state /etc/distill-detector \
 && chown -R detector:detector /var/lib/distill-detector
COPY --from=build /install /usr/local
COPY configs/default.yaml /etc/distill-detector/config.yaml
USER 10001:10001
WORKDIR /var/lib/distill-detector
ENV PYTHONUNBUFFERED=1
EXPOSE 9108
# SIGTERM finishes the batch, checkpoints and exits within service.shutdown_grace_s (25 s).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=2)" || exit 1
ENTRYPOINT ["distill-detector"]
CMD ["run", "--config", "/etc/distill-detector/config.yaml"]
