# fhir-migrate service image. Node 24 runs the TypeScript sources directly (type stripping).
# Stage 1: production dependencies only, from the lock file.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: the runtime image, non-root.
FROM node:24-slim
ENV NODE_ENV=production PORT=8080 FHIRMIG_DATA_DIR=/data
# The heap settings README recommends for migrations (768 MB old generation, 32 MB semi-spaces:
# peak RSS 532 MB at 1,001 patients; V8's defaults let it pass 700 MB).
ENV NODE_OPTIONS="--max-old-space-size=768 --max-semi-space-size=32"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY maps ./maps
COPY conceptmaps ./conceptmaps
COPY profiles ./profiles
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/fhir-migrate.js", "serve"]
