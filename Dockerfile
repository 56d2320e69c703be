# shipwatch agent image: a build stage compiles the patched `cap` addon and the TypeScript, a
# runtime stage holds only Node, libpcap's run-time libraries, the compiled agent and production
# node_modules (no compiler, no npm cache, no sources).
#
# Run it (README "Deployment" explains every capability and mount; deploy/compose.yaml is the same):
#   docker run -d --name shipwatch --restart unless-stopped \
#     --network host --pid host --cgroupns host \
#     --cap-drop ALL --cap-add NET_RAW --cap-add NET_ADMIN --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH \
#     --security-opt no-new-privileges --read-only --tmpfs /tmp \
#     -v /var/run/docker.sock:/var/run/docker.sock \
#     -v /var/lib/docker:/var/lib/docker:ro -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
#     -v shipwatch-state:/var/lib/shipwatch \
#     shipwatch
#
# Base images are build arguments, so a machine without a registry can build on local ones (the
# image test does: test/integration/image.test.ts, scripts/image-bases.sh). The build stage needs
# Node with npm, g++, make, python3 and libpcap's headers; the runtime stage Node and a libc
# compatible with the build stage's (same distribution release).
ARG BUILD_BASE=node:20-bookworm
ARG RUNTIME_BASE=node:20-bookworm-slim

FROM ${BUILD_BASE} AS build
# node:20-bookworm has the compiler, make and python3 but not libpcap-dev; install what is missing.
# libjs-d3 is the live page's map library (d3 3.5); the runtime stage copies its one file.
RUN if [ ! -e /usr/include/pcap/pcap.h ] || ! command -v g++ >/dev/null || ! command -v make >/dev/null \
       || [ ! -e /usr/share/javascript/d3/d3.min.js ]; then \
      apt-get update && apt-get install -y --no-install-recommends libpcap-dev g++ make python3 libjs-d3 \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
COPY package.json package-lock.json ./
COPY patches patches
COPY scripts/lockfile-with-resolved.mjs scripts/
# The committed lock file has no tarball URLs (see the script); with them, npm ci can also install
# from npm's cache alone. The postinstall applies patches/cap+0.2.1.patch and rebuilds cap.
RUN node scripts/lockfile-with-resolved.mjs "$(npm config get registry)" >/tmp/lock.json \
    && cp /tmp/lock.json package-lock.json \
    && npm ci --no-audit --no-fund \
    && node -e "if (typeof new (require('cap').Cap)().stats !== 'function') { console.error('cap is not patched'); process.exit(1) }"
COPY tsconfig.json tsconfig.build.json ./
COPY core core
COPY findings findings
COPY collector collector
COPY detectors detectors
COPY alerts alerts
COPY response response
COPY fleet fleet
COPY agent agent
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund
# The shared libraries cap's addon links that Node itself does not (libpcap and what it needs):
# copied from this stage, so the runtime stage needs no package manager and gets exactly the
# libraries cap was built against.
RUN mkdir -p /out/lib \
    && ldd "$(command -v node)" | awk '/=> \// {print $3}' | sort -u >/tmp/node-libs \
    && ldd node_modules/cap/build/Release/cap.node | awk '/=> \// {print $3}' | sort -u >/tmp/cap-libs \
    && for lib in $(comm -23 /tmp/cap-libs /tmp/node-libs); do cp -L "$lib" /out/lib/; done \
    && ls /out/lib

FROM ${RUNTIME_BASE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="shipwatch" \
      org.opencontainers.image.description="Runtime network and behaviour anomaly monitor for Docker hosts" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.documentation="README.md, section Deployment"
WORKDIR /opt/shipwatch
ENV NODE_ENV=production \
    LD_LIBRARY_PATH=/opt/shipwatch/lib \
    SHIPWATCH_STATE_DIR=/var/lib/shipwatch
COPY --from=build /out/lib lib
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/build build
COPY package.json ./
COPY bin bin
COPY dashboards/web dashboards/web
COPY --from=build /usr/share/javascript/d3/d3.min.js /usr/share/javascript/d3/d3.min.js
VOLUME /var/lib/shipwatch
EXPOSE 9477
# /healthz answers 200 while the agent serves (its body says which sources are degraded). Node
# itself asks, so the image needs no curl; the address is SHIPWATCH_LISTEN's, as the agent's. It
# asks over plain HTTP: with `tls` configured, override it (docker run --health-cmd).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://' + (process.env.SHIPWATCH_LISTEN || '127.0.0.1:9477') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/shipwatch.js"]
CMD ["run"]
