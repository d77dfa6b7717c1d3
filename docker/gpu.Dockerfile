# syntax=docker/dockerfile:1
#
# streamdrz, GPU image: the jar built with -Pgpu (onnxruntime_gpu, CUDA execution
# provider) on a CUDA 12 + cuDNN 9 runtime, which is what ONNX Runtime 1.2x for CUDA 12
# needs. Build from the repository root and run with the NVIDIA container toolkit:
#
#   docker build -f docker/gpu.Dockerfile -t streamdrz:gpu .
#   docker run --rm --gpus 1 -e STREAMDRZ_BOOTSTRAP_SERVERS=kafka:9092 streamdrz:gpu
#
# One GPU per instance: scale out with more instances (and partitions), not more GPUs
# per instance. Without a usable GPU the app logs one warning and runs on the CPU.

ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas/pom.xml schemas/
COPY streams-app/pom.xml streams-app/
COPY schemas/src schemas/src
COPY streams-app/src streams-app/src
COPY LICENSE ./
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -Pgpu package \
 && cp streams-app/target/streamdrz.jar /streamdrz.jar

# The Java runtime comes from the Temurin image: no package manager run in the CUDA image.
FROM ${JRE_IMAGE} AS jre

FROM ${CUDA_IMAGE}
LABEL org.opencontainers.image.title="streamdrz-gpu" \
      org.opencontainers.image.description="Live speaker diarization of phone calls as a Kafka Streams app (CUDA)" \
      org.opencontainers.image.licenses="GPL-3.0-or-later"
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
RUN groupadd --system --gid 10001 streamdrz \
 && useradd --system --uid 10001 --gid streamdrz --home-dir /opt/streamdrz --shell /usr/sbin/nologin streamdrz \
 && mkdir -p /opt/streamdrz/models/shipped /opt/streamdrz/samples /var/lib/streamdrz \
 && chown streamdrz:streamdrz /var/lib/streamdrz
WORKDIR /opt/streamdrz
COPY --from=build /streamdrz.jar /opt/streamdrz/streamdrz.jar
# The `streamdrz` command of the docs, e.g. docker exec CONTAINER streamdrz consume --calls 1
COPY scripts/streamdrz /opt/streamdrz/streamdrz
RUN ln -s /opt/streamdrz/streamdrz /usr/local/bin/streamdrz
COPY models/shipped/streamdrz-encoder.onnx models/shipped/streamdrz-decoder.onnx models/shipped/streamdrz-window.onnx models/shipped/silero_vad.onnx models/shipped/silero_vad.LICENSE /opt/streamdrz/models/shipped/
COPY streams-app/src/main/resources/io/streamdrz/demo/sample-call.wav \
     streams-app/src/main/resources/io/streamdrz/demo/sample-call.rttm /opt/streamdrz/samples/
ENV STREAMDRZ_MODEL_PATH=/opt/streamdrz/models/shipped/streamdrz \
    STREAMDRZ_METRICS_HOST=0.0.0.0 \
    STREAMDRZ_MODEL_DEVICE=cuda \
    STREAMDRZ_STATE_DIR=/var/lib/streamdrz \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75" \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
VOLUME ["/var/lib/streamdrz"]
EXPOSE 9404
USER 10001:10001
ENTRYPOINT ["java", "-jar", "/opt/streamdrz/streamdrz.jar"]
CMD ["run"]
