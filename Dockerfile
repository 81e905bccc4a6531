# rosterload: a static binary in a minimal, non-root image with CA certificates.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/rosterload ./cmd/rosterload

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rosterload /usr/local/bin/rosterload
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/rosterload"]
