# shipwatch agent image. Run with the Docker socket, host network and pid namespaces, and the
# capabilities capture and the proc connector need:
#   docker run -d --name shipwatch --network host --pid host --cap-add NET_RAW --cap-add NET_ADMIN \
#     -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/docker:/var/lib/docker:ro \
#     -v /var/lib/shipwatch:/var/lib/shipwatch shipwatch
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/shipwatch
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY bin bin
COPY agent agent
COPY collector collector
COPY detectors detectors
COPY alerts alerts
COPY response response
COPY dashboards dashboards
ENTRYPOINT ["node", "bin/shipwatch.js"]
CMD ["run", "--listen", "127.0.0.1:9477"]
