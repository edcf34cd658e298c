# ember-node in an image of its own: one static binary and nothing else (no
# shell, no libc, no package manager), so it builds without pulling any base
# image. Build the binary first:
#
#   CGO_ENABLED=0 go build -o bin/ember-node ./cmd/ember-node
#   docker build -t ember-node:local .
#
# scripts/cluster-up.sh does both. Only bin/ember-node is sent to the
# builder (.dockerignore).
FROM scratch
COPY bin/ember-node /ember-node
ENV EMBER_BIND=0.0.0.0 \
    EMBER_DATA_DIR=/data
VOLUME /data
# Client (RESP), cluster (Raft and admin) and gossip ports for the default
# --port 6379. A node started with another --port uses port+10000 and
# port+20000.
EXPOSE 6379 16379 26379 26379/udp
# The container health check needs nothing but the binary. It probes the
# default port; docker-compose.cluster.yml sets one per node.
HEALTHCHECK --interval=2s --timeout=2s --start-period=60s --retries=3 \
    CMD ["/ember-node", "health", "--node", "127.0.0.1:6379"]
ENTRYPOINT ["/ember-node"]
CMD ["serve"]
