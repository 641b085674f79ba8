// Who a bearer token belongs to. `admin` may do everything; the others only what their routes allow.

public enum Role: String, WireEnum {
    case submitter, `operator`, agent, admin
    public static let wireName = "role"
}
