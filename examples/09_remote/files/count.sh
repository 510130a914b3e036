# Rendered by handoff (customer is a variable); api_token is a secret that
# reaches the task as an environment variable and never appears in a log.
n=$(cat artifacts/count.txt 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > artifacts/count.txt
echo "run $n for {{ customer }}, token of $(printf %s "$api_token" | wc -c) characters"
