# rosterload: a static binary in a minimal, non-root image with CA certificates (for the API and
# S3 over TLS). Build: docker build -t rosterload .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary that needs no libc in the final image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/rosterload ./cmd/rosterload

# distroless/static: CA certificates, tzdata, /etc/passwd with nonroot (65532), /tmp; no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rosterload /usr/local/bin/rosterload
# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/rosterload"]
