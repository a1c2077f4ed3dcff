# The faultline service roles for docker-compose.yml: one image, the role is the command
# (`api`, `relay`, `worker`, `recon`); the mock bank runs from the same image with fakes/bank/main.ts as
# its entry point. Runs TypeScript through tsx, as `npm run service` does.
FROM node:22.11.0-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a devDependency) runs the service: install everything, without lifecycle scripts.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm cache clean --force

COPY tsconfig.json ./
COPY lib ./lib
COPY contract ./contract
COPY service ./service
COPY fakes ./fakes
COPY docker/seed-demo.ts ./docker/seed-demo.ts
RUN mkdir -p /data/bank /seed && chown node:node /data/bank /seed

USER node
ENV HOST=0.0.0.0 PORT=3000 BANK_DATA_DIR=/data/bank
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "service/main.ts"]
CMD ["all"]
