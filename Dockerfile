# The container form (Cloud Run and other container platforms) of the same handler as the Cloud
# Function: functions-framework serving main.py, with the model loaded at start-up instead of on
# the first request. Build: podman build -t scam-function . (or docker build); run: -e PORT=8080.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app
# Runtime dependencies only (requirements.txt); a layer of its own, so a code change reuses it.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY main.py ./
COPY function/ function/
COPY model/ model/
# Bytecode compiled now: the non-root user cannot write it and a cold start should not pay for it.
# The user's home is its only writable place besides /tmp (gunicorn's control socket, ONNX Runtime's ID).
RUN python -m compileall -q main.py function \
    && groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --create-home --shell /usr/sbin/nologin app

USER 10001:10001

# MODEL_PRELOAD: the worker loads the model as it starts; /readyz answers 200 only then.
# The function is asynchronous: functions-framework serves it with one uvicorn worker under gunicorn
# (one model in memory); ONNX Runtime gets ORT_THREADS, the instance's CPUs.
# functions-framework reads the port from $PORT; on SIGTERM gunicorn finishes in-flight requests and exits 0.
ENV PORT=8080 \
    MODEL_PRELOAD=true
# The sizes come from serving.env (python scripts/sizes.py renders this block).
# sizes:begin
ENV WORKERS=1 \
    ORT_THREADS=1
# sizes:end
EXPOSE 8080
CMD ["functions-framework", "--source", "main.py", "--target", "predict"]
