// The React app shell with no authentication at all: what React 19 itself ships
// (the baseline the React rows are compared with).
import { mount, Secret, Shell } from './react-shared.jsx';

const none = async () => null;
mount(<Shell status="unauthenticated" user={null} error={null} login={none} logout={none} callApi={none} Guarded={Secret} />);
