#!/usr/bin/env bash
# Builds the GOV.UK Frontend assets the web app serves: web/static/app.css (Sass compiled with
# Arial) and web/static/govuk/ (images and the JavaScript). Run once at set-up and after an upgrade.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../static"
cd "$here"
npm ci --no-audit --no-fund --ignore-scripts
mkdir -p "$static/govuk"
npx sass --pkg-importer=node --style=compressed --quiet-deps --no-source-map app.scss "$static/app.css"
dist="node_modules/govuk-frontend/dist/govuk"
rm -rf "$static/govuk/images"
cp -R "$dist/assets/images" "$static/govuk/images"
cp "$dist/assets/manifest.json" "$static/govuk/manifest.json"
cp "$dist/govuk-frontend.min.js" "$static/govuk/govuk-frontend.min.js"
echo "Built $(du -h "$static/app.css" | cut -f1) of CSS into web/static/app.css and assets into web/static/govuk/"
