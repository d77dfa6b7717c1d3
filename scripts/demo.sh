#!/usr/bin/env bash
# The streamdrz live demo, runnable on a fresh clone:
#
#   scripts/demo.sh [demo options]        e.g. scripts/demo.sh --speed 4 --rttm demo.rttm
#
# Builds streams-app/target/streamdrz.jar if it is missing or older than the sources
# (the first build downloads the libraries from Maven Central), then runs
# `java -jar streamdrz.jar demo`: an embedded Kafka broker, the streams app, a bundled
# 40 s phone call played into audio-in in real time, segments printed as they arrive.
# Exits by itself when the call is done. Options: scripts/demo.sh --help
set -euo pipefail

cd "$(dirname "$0")/.."
JAR=streams-app/target/streamdrz.jar

for model in models/shipped/streamdrz-encoder.onnx models/shipped/streamdrz-decoder.onnx models/shipped/streamdrz-window.onnx; do
  if [ ! -f "$model" ]; then
    echo "scripts/demo.sh: $model is missing; the model files are committed on main (git pull)" >&2
    exit 1
  fi
done

if [ ! -f "$JAR" ] || [ -n "$(find pom.xml schemas/pom.xml schemas/src streams-app/pom.xml streams-app/src/main \
      -newer "$JAR" -print -quit)" ]; then
  echo "scripts/demo.sh: building $JAR (mvn -B -ntp -q package -DskipTests) ..." >&2
  mvn -B -ntp -q package -DskipTests >&2
fi

exec java -jar "$JAR" demo "$@"
