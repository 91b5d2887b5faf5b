# Stand-in for the nginx image: Debian's nginx with the real image's layout (sites in /etc/nginx/conf.d, logs to the
# container's output, in the foreground), its unprivileged "nginx" user, and a wget for health checks, as busybox gives
# the alpine image.
ARG BASE
FROM ${BASE}

RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx wget \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin nginx \
    && chown -R nginx /var/lib/nginx \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
